/**
 * The words the API bench's seed builds its rows from: Japanese names with their romaji (for
 * the addresses), subjects, message lines, products. Combined by position in SQL, so 30 family
 * names and 30 given names make 900 people's names, as many shared as in a real shop.
 */
export const familyNames = [
  ['佐藤', 'sato'], ['鈴木', 'suzuki'], ['高橋', 'takahashi'], ['田中', 'tanaka'], ['伊藤', 'ito'], ['渡辺', 'watanabe'],
  ['山本', 'yamamoto'], ['中村', 'nakamura'], ['小林', 'kobayashi'], ['加藤', 'kato'], ['吉田', 'yoshida'], ['山田', 'yamada'],
  ['佐々木', 'sasaki'], ['山口', 'yamaguchi'], ['松本', 'matsumoto'], ['井上', 'inoue'], ['木村', 'kimura'], ['林', 'hayashi'],
  ['斎藤', 'saito'], ['清水', 'shimizu'], ['山崎', 'yamazaki'], ['森', 'mori'], ['池田', 'ikeda'], ['橋本', 'hashimoto'],
  ['阿部', 'abe'], ['石川', 'ishikawa'], ['山下', 'yamashita'], ['中島', 'nakajima'], ['石井', 'ishii'], ['小川', 'ogawa'],
] as const;

export const givenNames = [
  ['太郎', 'taro'], ['花子', 'hanako'], ['翔太', 'shota'], ['美咲', 'misaki'], ['健', 'ken'], ['さくら', 'sakura'],
  ['大輔', 'daisuke'], ['陽菜', 'hina'], ['蓮', 'ren'], ['結衣', 'yui'], ['拓海', 'takumi'], ['葵', 'aoi'],
  ['悠真', 'yuma'], ['凛', 'rin'], ['一郎', 'ichiro'], ['恵子', 'keiko'], ['誠', 'makoto'], ['由美', 'yumi'],
  ['翼', 'tsubasa'], ['愛', 'ai'], ['直樹', 'naoki'], ['真由美', 'mayumi'], ['亮', 'ryo'], ['彩', 'aya'],
  ['和也', 'kazuya'], ['奈々', 'nana'], ['浩二', 'koji'], ['優子', 'yuko'], ['隼人', 'hayato'], ['千尋', 'chihiro'],
] as const;

export const mailDomains = ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'icloud.com', 'ezweb.ne.jp', 'outlook.jp', 'softbank.ne.jp', 'example.jp'];

/** `{o}` is the conversation's order number. */
export const orderSubjects = ['注文 {o} の配送について', '商品が届きません（{o}）', '{o} のサイズ交換をお願いします', '{o} を返品したいです', '注文 {o} のキャンセルについて', '{o} の領収書の発行について'];
export const plainSubjects = [
  'ギフト包装について質問',
  '配送先住所の変更',
  '不良品が届きました',
  'ポイントが反映されていません',
  '入荷予定を教えてください',
  'お支払い方法について',
  '会員登録ができません',
  '配送日時の指定について',
  'クーポンが使えません',
];

export const customerLines = [
  'こんにちは。先日注文した商品についてお問い合わせです。',
  'まだ商品が届いていないのですが、いつ頃になりますか？',
  'サイズが合わなかったので交換をお願いできますか。',
  'ありがとうございます。確認しました。',
  '追跡番号を教えていただけますか？',
  '届いた商品に傷がありました。写真を送ります。',
  '配送先を実家に変更したいのですが可能でしょうか。',
  'ご対応ありがとうございました。また利用します。',
];
export const agentLines = [
  'お問い合わせいただきありがとうございます。担当いたします。',
  'ご不便をおかけして申し訳ございません。ただいま確認いたします。',
  '本日発送いたしました。お届けまで今しばらくお待ちください。',
  'ご確認ありがとうございます。他にご不明な点があればお知らせください。',
  '交換品の在庫を確保いたしました。返送用の伝票をお送りします。',
  '大変失礼いたしました。返金の手続きを進めております。',
];
export const noteLines = ['倉庫に在庫確認中。明日回答予定。', 'リピーターのお客様。丁寧に対応すること。', '配送業者に調査依頼済み。', '返金は店長承認待ち。'];

export const tags = ['返品', '交換', '配送遅延', 'ギフト', 'クレーム', 'VIP', '初回購入', '在庫確認', 'キャンセル', '請求書'];

/** sku, name, unit price (yen, tax included), tax rate. */
export const products: Array<[string, string, number, 8 | 10]> = [
  ['MUG-001', '益子焼マグカップ', 2750, 10],
  ['TWL-010', '今治タオル（フェイス）', 1650, 10],
  ['SNK-100', '国産ほうじ茶クッキー', 864, 8],
  ['TEA-SEN', '静岡煎茶 100g', 1296, 8],
  ['TEA-POT', '常滑焼急須', 5500, 10],
  ['BAG-200', '帆布トートバッグ', 3980, 10],
  ['SOX-300', '今治ソックス 3足組', 2200, 10],
  ['CHO-050', '抹茶チョコレート', 1080, 8],
];

export const paymentMethods = ['credit_card', 'credit_card', 'credit_card', 'cod', 'konbini', 'bank_transfer', 'paypay'];
export const carriers = ['ヤマト運輸', '佐川急便', '日本郵便'];
export const addresses = ['神宮前1-2-3', '梅田2-4-6', '北1条西3-1', '栄3-5-12', '天神2-8-1', '中央1-1-1 ハイツ201', '本町4-3-2-505'];
