/**
 * The chat widget a shop adds to its pages with one tag:
 *
 *   <script src="https://<madoguchi>/widget.js" data-shop-id="<uuid>" data-locale="ja" async></script>
 *
 * The tag tells the widget where madoguchi is (the script's own origin) and which shop it is
 * for. A signed-in customer is vouched for with `data-identity-token="v1...."` or with
 * `madoguchi('identify', token)`; calls made before the script loads are queued by the stub
 * `window.madoguchi = window.madoguchi || function () { (madoguchi.q = madoguchi.q || []).push(arguments) }`.
 */
import { Chat } from './chat.ts';
import { pickLocale } from './i18n.ts';

type Command = 'identify' | 'open' | 'close';
type Api = ((command: Command, arg?: string) => void) & { q?: ArrayLike<unknown>[]; loaded?: boolean };

declare global {
  interface Window {
    madoguchi?: Api;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our own tag: currentScript while this runs (async included), else the first tag that looks like ours. */
function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.shopId) return current;
  return document.querySelector<HTMLScriptElement>('script[data-shop-id][src*="widget.js"]');
}

function run(chat: Chat, command: unknown, arg: unknown): void {
  if (command === 'identify' && typeof arg === 'string' && arg) chat.identify(arg);
  else if (command === 'open') chat.open();
  else if (command === 'close') chat.close();
  else console.warn('[madoguchi] unknown command', command);
}

function boot(): void {
  const script = ownScript();
  const shopId = script?.dataset.shopId ?? '';
  if (!script || !UUID.test(shopId)) {
    console.error('[madoguchi] the widget needs data-shop-id="<shop UUID>" on its <script> tag');
    return;
  }
  if (window.madoguchi?.loaded) return; // the tag twice on one page: one widget
  const chat = new Chat({
    origin: new URL(script.src, location.href).origin,
    shopId,
    locale: pickLocale(script.dataset.locale, navigator.languages ?? [navigator.language]),
    identityToken: script.dataset.identityToken || null,
  });
  const queued = window.madoguchi?.q ?? [];
  const calls: unknown[][] = Array.from(queued, (args) => Array.from(args));
  // Until the config is in, commands wait with the stub's (an `open` now would find no panel).
  let ready = false;
  const api: Api = (command, arg) => (ready || command === 'identify' ? run(chat, command, arg) : void calls.push([command, arg]));
  api.loaded = true;
  window.madoguchi = api;
  // Identity first, so the first decision (form or verified start) already knows it.
  for (const [c, a] of calls.filter(([c]) => c === 'identify')) run(chat, c, a);
  const mount = () =>
    void chat.load().then(() => {
      ready = true;
      for (const [c, a] of calls.filter(([c]) => c !== 'identify')) run(chat, c, a);
    });
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

boot();
