import { useSignOut } from '../useSignOut.ts';
import { useMessages, type Lang } from '../i18n.ts';
import type { Membership, SessionView } from '../types.ts';
import { Brand } from './Brand.tsx';
import { LanguageToggle } from './LanguageToggle.tsx';
import { ShopSwitcher } from './ShopSwitcher.tsx';

interface HeaderProps {
  session: SessionView;
  membership: Membership | undefined;
  shopName: string | undefined;
  onLangChange: (lang: Lang) => void;
  onSignedOut: () => void;
}

export function Header({ session, membership, shopName, onLangChange, onSignedOut }: HeaderProps) {
  const m = useMessages();
  const { busy: signingOut, failed, signOut } = useSignOut(onSignedOut);

  return (
    <header className="topbar">
      <div className="topbar-shop">
        <Brand />
        {shopName && (
          <>
            <span className="topbar-divider" aria-hidden="true" />
            <span className="sr-only">{m.shell.currentShop}: </span>
            <span className="shop-name" data-testid="current-shop">
              {shopName}
            </span>
          </>
        )}
        {membership && session.memberships.length > 1 && <ShopSwitcher memberships={session.memberships} current={membership.shopId} />}
      </div>

      <div className="topbar-tools">
        <LanguageToggle onChange={onLangChange} />
        <div className="user" aria-label={m.shell.account} role="group">
          <span className="user-name" data-testid="user-name">
            {session.user.name}
          </span>
          {membership && (
            <span className="role-badge" data-testid="user-role" data-role={membership.role}>
              {m.roles[membership.role]}
            </span>
          )}
        </div>
        <button type="button" className="button button-quiet" onClick={() => void signOut()} disabled={signingOut} data-testid="sign-out">
          {signingOut ? m.shell.signingOut : m.shell.signOut}
        </button>
      </div>
      {failed && (
        <p role="alert" className="alert alert-error topbar-alert">
          {m.shell.signOutFailed}
        </p>
      )}
    </header>
  );
}
