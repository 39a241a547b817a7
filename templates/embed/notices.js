/*
 * madoguchi notices: one tag on any page of the shop shows its current delay notices.
 *   <script src="https://desk.example.jp/notices.js?shop=<shop id>" async></script>
 * The banner lives in a shadow root (the page's styles do not reach it, nor its styles the
 * page), reads GET /shops/<id>/notices/active (CORS: the shop's allowed origins), shows each
 * notice's headline in the page's language (Japanese unless <html lang="en…">) with a link to
 * the notices page, and a notice closed by the visitor stays closed for the session.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var src = new URL(script.src);
  var shop = src.searchParams.get('shop');
  if (!shop || !/^[0-9a-f-]{36}$/i.test(shop)) return;
  var base = src.origin;
  var lang = (document.documentElement.lang || '').toLowerCase().indexOf('en') === 0 ? 'en' : 'ja';
  var closeLabel = lang === 'en' ? 'Close' : '閉じる';
  var moreLabel = lang === 'en' ? 'Details' : '詳しく見る';
  var key = 'mdg-notices-closed:' + shop;

  function closed() {
    try {
      return JSON.parse(sessionStorage.getItem(key) || '[]');
    } catch (e) {
      return [];
    }
  }
  function remember(id) {
    try {
      var list = closed();
      list.push(id);
      sessionStorage.setItem(key, JSON.stringify(list));
    } catch (e) {
      /* storage refused (private mode): closed for this page view only */
    }
  }

  function show(notices) {
    var gone = closed();
    var shown = notices.filter(function (n) {
      return gone.indexOf(n.id) < 0;
    });
    if (!shown.length) return;
    var host = document.createElement('div');
    host.setAttribute('data-madoguchi-notices', shop);
    var root = host.attachShadow({ mode: 'open' });
    var style = document.createElement('style');
    style.textContent =
      ':host{all:initial;display:block;font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif}' +
      '.n{display:flex;gap:.75rem;align-items:flex-start;background:#fff8c5;color:#1f2328;border-bottom:1px solid #d4a72c;padding:.6rem 1rem;font-size:14px;line-height:1.6}' +
      '.t{flex:1}.t a{color:#0b6bcb;margin-left:.5rem;white-space:nowrap}' +
      'button{background:none;border:0;cursor:pointer;font-size:18px;line-height:1;color:#57606a;padding:0 .25rem}';
    root.appendChild(style);
    shown.forEach(function (n) {
      var row = document.createElement('div');
      row.className = 'n';
      row.setAttribute('role', 'status');
      var text = document.createElement('div');
      text.className = 't';
      // Text only: the headline is written into the page as characters, never as markup.
      text.textContent = n[lang].headline;
      var more = document.createElement('a');
      more.href = base + '/shops/' + shop + '/notices?lang=' + lang + '#n-' + n.id;
      more.target = '_blank';
      more.rel = 'noopener';
      more.textContent = moreLabel;
      text.appendChild(more);
      var close = document.createElement('button');
      close.type = 'button';
      close.setAttribute('aria-label', closeLabel);
      close.textContent = '×';
      close.addEventListener('click', function () {
        remember(n.id);
        row.remove();
        if (!root.querySelector('.n')) host.remove();
      });
      row.appendChild(text);
      row.appendChild(close);
      root.appendChild(row);
    });
    document.body.insertBefore(host, document.body.firstChild);
  }

  function load() {
    fetch(base + '/shops/' + shop + '/notices/active', { credentials: 'omit' })
      .then(function (r) {
        return r.ok ? r.json() : { notices: [] };
      })
      .then(function (a) {
        show(a.notices || []);
      })
      .catch(function () {
        /* a notice that cannot be fetched is not shown; the page is not disturbed */
      });
  }
  if (document.body) load();
  else document.addEventListener('DOMContentLoaded', load);
})();
