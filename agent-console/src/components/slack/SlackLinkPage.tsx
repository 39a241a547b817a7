import { useEffect, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { slackMessages } from '../../i18n.slack.ts';
import { slackApi } from '../../slackApi.ts';
import type { SessionView } from '../../types.ts';
import { RouteLink } from '../RouteLink.tsx';
import { problemText } from './said.ts';
import '../../slack.css';

type State = { step: 'ask' } | { step: 'sending' } | { step: 'done'; shopId: string; slackUserId: string } | { step: 'refused'; text: string };

/**
 * /console/slack/link?token=…: the link a Slack reply gives a person madoguchi could not match by
 * email. Signed in (the console asks first), they confirm with one click that this account is
 * theirs; the server checks the token (15 minutes, one shop, team and Slack person) and that
 * they belong to that shop.
 */
export function SlackLinkPage({ token, session }: { token: string; session: SessionView }) {
  const lang = useLang();
  const m = slackMessages[lang];
  const l = m.link;
  const [state, setState] = useState<State>(token ? { step: 'ask' } : { step: 'refused', text: l.noToken });
  // What the link would link, read before the button shows: a link someone else sent names their Slack account.
  const [preview, setPreview] = useState<Awaited<ReturnType<typeof slackApi.previewLink>>>();
  useEffect(() => {
    if (!token) return;
    let live = true;
    slackApi.previewLink(token).then(
      (p) => live && setPreview(p),
      (e: unknown) => {
        if (!live) return;
        const text = e instanceof ApiError && e.code === 'invalid_input' ? l.invalid : e instanceof ApiError && e.code === 'forbidden' ? l.forbidden : problemText(e, m, lang);
        setState({ step: 'refused', text });
      },
    );
    return () => {
      live = false;
    };
  }, [token]);

  const confirm = async () => {
    setState({ step: 'sending' });
    try {
      const done = await slackApi.confirmLink(token);
      setState({ step: 'done', ...done });
    } catch (e) {
      const text = e instanceof ApiError && e.code === 'invalid_input' ? l.invalid : e instanceof ApiError && e.code === 'forbidden' ? l.forbidden : problemText(e, m, lang);
      setState({ step: 'refused', text });
    }
  };

  const shopName = state.step === 'done' ? (session.memberships.find((x) => x.shopId === state.shopId)?.shopName ?? state.shopId) : '';
  return (
    <section className="settings-section slack-link" aria-labelledby="slack-link-title" data-testid="slack-link" data-state={state.step}>
      <h1 id="slack-link-title" className="page-title">
        {l.title}
      </h1>
      {(state.step === 'ask' || state.step === 'sending') && preview && (
        <>
          <p>{l.lead(session.user.email)}</p>
          <p data-testid="slack-link-who">{l.who(preview.slackUserName ? `${preview.slackUserName} (${preview.slackUserId})` : preview.slackUserId, preview.teamName ?? '—', preview.shopName)}</p>
          <p role="note" className="alert alert-warning" data-testid="slack-link-warn">
            {l.warn}
          </p>
          <p>
            <button type="button" className="button button-primary" aria-disabled={state.step === 'sending'} onClick={() => state.step === 'ask' && void confirm()} data-testid="slack-link-confirm">
              {state.step === 'sending' ? l.confirming : l.confirm}
            </button>
          </p>
        </>
      )}
      {state.step === 'done' && (
        <>
          <p role="status" className="alert alert-info" data-testid="slack-link-done">
            {l.done(shopName)}
          </p>
          <dl className="settings-facts">
            <dt>{l.shop}</dt>
            <dd data-testid="slack-link-shop">{shopName}</dd>
            <dt>{l.slackUser}</dt>
            <dd className="mono">{state.slackUserId}</dd>
          </dl>
          <p>
            <RouteLink to={{ page: 'settings', shopId: state.shopId, section: 'settings-slack' }} className="button">
              {l.openSettings}
            </RouteLink>{' '}
            <RouteLink to={{ page: 'inbox', shopId: state.shopId }} className="button button-quiet">
              {l.openInbox}
            </RouteLink>
          </p>
        </>
      )}
      {state.step === 'refused' && (
        <p role="alert" className="alert alert-error" data-testid="slack-link-refused">
          {state.text}
        </p>
      )}
    </section>
  );
}
