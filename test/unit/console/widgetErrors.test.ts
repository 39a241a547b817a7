import { expect } from 'chai';
import { ApiError } from '../../../agent-console/widget/api.ts';
import { AckError } from '../../../agent-console/widget/connection.ts';
import { fileRefusal, prechatRefusal, ratingRefusal, sendRefusal, verifyRefusal } from '../../../agent-console/widget/errors.ts';
import { i18n } from '../../../agent-console/widget/i18n.ts';

const ja = i18n('ja');
const en = i18n('en');
/** What the server says, for developers: none of it may reach the customer. */
const serverText = /input is not valid|expected|too many events|slow down|client id|merged|closed; start|Content-Type|HTTP \d|timed out/i;

describe('the widget explains refusals in the customer’s words, by error code', () => {
  it('the pre-chat form names each field the server refused, the page’s language first', () => {
    const e = new ApiError(400, 'invalid_input', 'input is not valid', [
      { path: 'email', message: 'expected an email address' },
      { path: 'orderNumber', message: 'letters, digits and - # / . _ only' },
    ]);
    expect(prechatRefusal(ja, e)).to.equal(
      'メールアドレスをご確認ください（例: hanako@example.jp）。ご注文番号をご確認ください（英数字と - # / . _ のみ）。 / Please check your email address (for example hanako@example.jp). Please check the order number (letters, digits and - # / . _ only).',
    );
    expect(prechatRefusal(en, e)).to.match(/^Please check your email address/);
    expect(prechatRefusal(ja, new ApiError(429, 'rate_limited', 'チャットの開始が多すぎます。10 分後にお試しください / too many chats started; try again in 10 min'))).to.match(/^チャットの開始が多すぎます。しばらくしてから/);
    expect(prechatRefusal(ja, new ApiError(503, 'unavailable', 'database unavailable'))).to.match(/^ただいまチャットを開始できません/);
    expect(prechatRefusal(ja, new ApiError(0, 'network', 'Failed to fetch'))).to.match(/^ただいまチャットを開始できません/);
    expect(prechatRefusal(en, new ApiError(404, 'not_found', 'shop not found'))).to.equal('The chat could not be started. / チャットを開始できませんでした。');
  });

  it('a refused rating, a refused identity and a message refused for good are explained, never quoted', () => {
    expect(ratingRefusal(en, new AckError('invalid_transition', 'この会話はまだ解決されていないため評価できません / this conversation can be rated once it is resolved'))).to.match(/^This conversation is not resolved yet/);
    expect(ratingRefusal(ja, new AckError('invalid_input', 'payload is not valid', [{ path: 'comment', message: 'Too big' }]))).to.match(/^ご意見は 1000 文字以内/);
    expect(ratingRefusal(ja, new AckError('rate_limited', 'too many events on this connection; slow down'))).to.match(/^評価を送れませんでした。しばらくしてから/);
    expect(ratingRefusal(ja, new Error('operation has timed out'))).to.match(/^評価を送れませんでした。しばらくしてから/);
    expect(verifyRefusal(ja, new ApiError(401, 'unauthenticated', 'identity token signature is not valid'))).to.equal('');
    expect(verifyRefusal(ja, new ApiError(503, 'unavailable', 'redis unavailable'))).to.match(/^ただいまご本人確認ができません/);
    expect(sendRefusal(ja, 'invalid_input')).to.match(/^メッセージが長すぎるか/);
    expect(sendRefusal(en, 'conflict')).to.match(/^This conversation no longer takes messages/);
    // A reason an older widget saved (the server's text) is not shown.
    expect(sendRefusal(ja, 'this conversation is closed; start a new one')).to.equal('');
    expect(fileRefusal(ja, new ApiError(415, 'unsupported_media_type', 'declared Content-Type: text/plain', { declared: 'text/plain' }))).to.match(/^ファイルを添付できませんでした。画像/);
    for (const said of [
      ratingRefusal(ja, new AckError('forbidden', 'customers cannot do that')),
      prechatRefusal(ja, new ApiError(400, 'invalid_input', 'input is not valid', [{ path: 'locale', message: 'expected one of ja|en' }])),
      fileRefusal(en, new ApiError(400, 'invalid_input', 'ファイルが空です / the file is empty')),
    ]) {
      expect(said).to.not.match(serverText);
    }
  });
});
