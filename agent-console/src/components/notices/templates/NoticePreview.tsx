import { useLang } from '../../../i18n.ts';
import type { Previewed } from './api.ts';
import { noticeTemplateMessages } from './i18n.ts';

/** The banner's look on a shop page; the frame runs no script (sandbox without allow-scripts). */
const frameStyle = `body{margin:0;padding:12px;font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;font-size:14px;line-height:1.7;color:#1d2320}
.mdg-notice{border:2px solid #b5472f;border-radius:8px;padding:8px 16px;background:#fff8f5}
.mdg-notice h2{font-size:15px;margin:4px 0 8px;color:#8a2d18}.mdg-notice h3{font-size:14px;margin:12px 0 4px}
.mdg-notice ul{margin:0;padding-left:1.2em}.mdg-notice p{margin:6px 0}`;

/** Mail (subject and text) and banner HTML side by side, Japanese and English. */
export function NoticePreview({ preview }: { preview: Previewed }) {
  const lang = useLang();
  const m = noticeTemplateMessages[lang];
  return (
    <div className="notice-preview" data-testid="notice-preview">
      {(['ja', 'en'] as const).map((l) => (
        <section key={l} className="notice-preview-lang" lang={l} data-testid={`notice-preview-${l}`}>
          <h3 className="section-title">{m.langs[l]}</h3>
          <div className="notice-preview-pair">
            <div className="notice-mail">
              <h4>{m.mail}</h4>
              <p className="notice-subject">
                <span className="muted">{m.subject}: </span>
                <strong data-testid={`notice-preview-${l}-subject`}>{preview[l].subject}</strong>
              </p>
              <pre className="notice-text" data-testid={`notice-preview-${l}-text`}>
                {preview[l].text}
              </pre>
            </div>
            <div className="notice-banner">
              <h4>{m.banner}</h4>
              <iframe
                title={m.bannerFrame(m.langs[l])}
                sandbox=""
                className="notice-frame"
                srcDoc={`<!doctype html><html lang="${l}"><head><meta charset="utf-8"><style>${frameStyle}</style></head><body>${preview[l].html}</body></html>`}
                data-testid={`notice-preview-${l}-html`}
              />
              <h4>{m.chat}</h4>
              <p className="notice-chat" data-testid={`notice-preview-${l}-chat`}>
                {preview[l].chat}
              </p>
            </div>
          </div>
        </section>
      ))}
    </div>
  );
}
