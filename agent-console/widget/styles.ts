/**
 * The widget's CSS, inside its shadow root: the page's rules cannot reach in and these
 * cannot reach out. `all: initial !important` on the host also stops inherited page styles
 * (an !important rule inside the shadow tree beats the page's own !important on the host).
 */
export const css = `
:host { all: initial !important; position: fixed !important; right: 20px !important; bottom: 20px !important; z-index: 2147483000 !important; display: block !important; }
* { box-sizing: border-box; }
.root { --mg-accent: #0b6e4f; --mg-on-accent: #fff; font: 14px/1.5 system-ui, -apple-system, "Hiragino Sans", "Noto Sans JP", Meiryo, sans-serif; color: #1f2933; }
button { font: inherit; cursor: pointer; }
button:disabled { cursor: default; opacity: .6; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--mg-accent); color: var(--mg-on-accent); box-shadow: 0 4px 14px rgba(0,0,0,.25); font-size: 24px; display: flex; align-items: center; justify-content: center; margin-left: auto; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.panel { width: min(370px, calc(100vw - 40px)); height: min(560px, calc(100vh - 110px)); background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; margin-bottom: 12px; }
.panel[hidden], [hidden] { display: none !important; }
.header { background: var(--mg-accent); color: var(--mg-on-accent); padding: 12px 14px; display: flex; align-items: center; gap: 8px; }
.header .title { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.header button { background: transparent; border: 0; color: var(--mg-on-accent); font-size: 20px; line-height: 1; padding: 2px 6px; }
.notice { background: #fff8e1; color: #5d4200; padding: 8px 12px; font-size: 12px; border-bottom: 1px solid #f1e3b5; }
.notice.error { background: #fdecea; color: #8a1c13; border-color: #f5c6c0; }
.body { flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 12px; background: #f6f7f9; }
form.prechat { display: flex; flex-direction: column; gap: 10px; padding: 16px; overflow-y: auto; }
form.prechat label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: #52606d; }
input, textarea { font: inherit; color: inherit; border: 1px solid #cbd2d9; border-radius: 8px; padding: 8px 10px; background: #fff; width: 100%; }
.primary { background: var(--mg-accent); color: var(--mg-on-accent); border: 0; border-radius: 8px; padding: 9px 14px; font-weight: 600; }
.messages { display: flex; flex-direction: column; gap: 8px; }
.messages > .newer { position: sticky; bottom: 0; align-self: center; background: var(--mg-accent); color: var(--mg-on-accent); border: 0; border-radius: 16px; padding: 5px 14px; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.empty { color: #7b8794; font-size: 13px; text-align: center; margin: 24px 8px; }
.msg { max-width: 82%; display: flex; flex-direction: column; }
.msg.mine { align-self: flex-end; align-items: flex-end; }
.msg .who { font-size: 11px; color: #7b8794; margin: 0 4px 2px; }
.msg .bubble { padding: 8px 11px; border-radius: 12px; background: #fff; border: 1px solid #e4e7eb; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.mine .bubble { background: var(--mg-accent); color: var(--mg-on-accent); border-color: var(--mg-accent); }
.msg.system .bubble { background: transparent; border: 0; color: #7b8794; font-size: 12px; text-align: center; }
.msg.system { align-self: center; max-width: 100%; }
.msg .meta { font-size: 11px; color: #7b8794; margin: 2px 4px 0; display: flex; gap: 6px; }
.msg .meta .failed { color: #b42318; }
.files { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; }
.files img { max-width: 200px; max-height: 160px; border-radius: 8px; display: block; }
.file { background: #fff; border: 1px solid #cbd2d9; border-radius: 6px; padding: 3px 8px; font-size: 12px; color: #1f2933; text-align: left; }
.typing { font-size: 12px; color: #52606d; padding: 4px 12px; background: #f6f7f9; }
.composer { border-top: 1px solid #e4e7eb; padding: 8px; display: flex; flex-direction: column; gap: 6px; background: #fff; }
.composer .row { display: flex; gap: 6px; align-items: flex-end; }
.composer textarea { resize: none; height: 60px; }
.composer .attach { border: 1px solid #cbd2d9; background: #fff; border-radius: 8px; padding: 8px 10px; }
.composer .row > button { flex: none; white-space: nowrap; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { font-size: 12px; background: #e6f4ef; border-radius: 12px; padding: 2px 4px 2px 10px; display: inline-flex; align-items: center; gap: 4px; }
.chip button { border: 0; background: transparent; padding: 0 4px; }
.rating { background: #fff; border: 1px solid #e4e7eb; border-radius: 10px; padding: 10px; margin-top: 10px; display: flex; flex-direction: column; gap: 8px; }
.stars { display: flex; gap: 4px; }
.stars button { flex: 1; border: 1px solid #cbd2d9; background: #fff; border-radius: 6px; padding: 6px 0; }
.stars button[aria-pressed="true"] { background: #f5a623; border-color: #f5a623; color: #1f2933; font-weight: 700; }
.error-text { color: #b42318; font-size: 12px; }
.icon { width: 1em; height: 1em; flex: none; vertical-align: -.125em; }
.launcher .icon { width: 28px; height: 28px; }
.file .icon { margin-right: 4px; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field .error-text { margin: 0; }
input[aria-invalid="true"] { border-color: #b42318; }
.intro { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: #3e4c59; }
.intro p { margin: 0; }
.intro .greeting { font-size: 14px; color: #1f2933; font-weight: 600; }
.intro .hours[data-open="true"]::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #1a7f37; margin-right: 6px; }
.field .privacy { font-size: 12px; color: #52606d; margin: 0; }
.field .privacy a { color: inherit; }
.field .carrier-hint { font-size: 12px; margin: 4px 0 0; padding: 6px 8px; background: #fff8c5; color: #4d3800; border-radius: 6px; }
.panel:focus { outline: none; }
@media (max-width: 480px) {
  .panel { position: fixed; top: 0; left: 0; right: 0; width: auto; height: 100vh; height: 100dvh; margin: 0; border-radius: 0; padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left); }
  input, textarea { font-size: 16px; }
}
`;
