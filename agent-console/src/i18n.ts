import { createContext, useContext } from 'react';
import type { Role } from './types.ts';
import { chatEn, chatJa } from './i18n.chat.ts';
import { metricsEn, metricsJa } from './i18n.metrics.ts';
import { returnsEn, returnsJa } from './i18n.returns.ts';

export type Lang = 'ja' | 'en';
export const langs: readonly Lang[] = ['ja', 'en'];

const waitJa = (s: number) => (s >= 60 ? `約${Math.ceil(s / 60)}分` : `${s}秒`);
const waitEn = (s: number) => {
  if (s >= 60) {
    const m = Math.ceil(s / 60);
    return `about ${m} minute${m === 1 ? '' : 's'}`;
  }
  return `${s} second${s === 1 ? '' : 's'}`;
};

/** Japanese is the source: its shape is the dictionary's type, so English cannot miss a key. */
const ja = {
  langName: '日本語',
  loading: '読み込み中…',
  signIn: {
    title: 'サインイン',
    subtitle: 'エージェントコンソール',
    email: 'メールアドレス',
    password: 'パスワード',
    submit: 'サインイン',
    submitting: 'サインインしています…',
    wrongCredentials: 'メールアドレスまたはパスワードが正しくありません。',
    rateLimited: (seconds?: number) =>
      seconds ? `サインインの試行回数が多すぎます。${waitJa(seconds)}後にもう一度お試しください。` : 'サインインの試行回数が多すぎます。しばらくしてからもう一度お試しください。',
    network: 'サーバーに接続できませんでした。ネットワーク接続を確認して、もう一度お試しください。',
    failed: 'サインインできませんでした。しばらくしてからもう一度お試しください。',
    expired: 'セッションの有効期限が切れました。もう一度サインインしてください。',
    signedOut: 'サインアウトしました。',
  },
  startup: {
    network: 'サーバーに接続できませんでした。',
    retry: '再読み込み',
  },
  shell: {
    skipToMain: 'メインコンテンツへ移動',
    mainNav: 'メインメニュー',
    currentShop: '現在の店舗',
    switchShop: '店舗を切り替え',
    language: '表示言語',
    account: 'アカウント',
    signOut: 'サインアウト',
    signingOut: 'サインアウト中…',
    signOutFailed: 'サインアウトできませんでした。もう一度お試しください。',
    comingSoon: '準備中',
    shopLoadFailed: 'この店舗の情報を読み込めませんでした。',
    noShops: '参加している店舗がありません',
    noShopsHint: '店舗のオーナーに招待を依頼してください。',
  },
  nav: {
    inbox: '受信箱',
    returns: '返品',
    orders: '注文',
    settings: '設定',
    setup: 'はじめに',
  },
  roles: {
    owner: 'オーナー',
    staff: 'スタッフ',
    agent: 'エージェント',
    contractor: '委託スタッフ',
  } satisfies Record<Role, string>,
  inbox: {
    title: '受信箱',
    empty: 'お問い合わせはまだありません',
    emptyHint: 'お客様からのお問い合わせが届くと、ここに表示されます。',
  },
  chat: chatJa,
  metrics: metricsJa,
  returns: returnsJa,
  invitation: {
    title: '店舗への招待',
    /** Around the shop's name and the role: 「<店舗> に <役割> として招待されています」. */
    invited: ['', ' に ', ' として招待されています'] as [string, string, string],
    email: '招待先のメールアドレス',
    newAccount: 'アカウントを作成して参加',
    name: 'お名前',
    password: 'パスワード（12文字以上）',
    confirm: 'パスワード（確認）',
    create: 'アカウントを作成して承諾する',
    creating: 'アカウントを作成しています…',
    signInFirst: 'このメールアドレスのアカウントでサインインしてから承諾してください。',
    signedInAs: (email: string) => `${email} としてサインインしています。`,
    accept: '招待を承諾する',
    accepting: '承諾しています…',
    accepted: '招待を承諾しました。受信箱を開いています…',
    wrongAccount: (current: string, invited: string) =>
      `${current} としてサインインしています。この招待は ${invited} 宛てです。サインアウトしてから、招待されたメールアドレスで続けてください。`,
    signOut: 'サインアウト',
    useOtherAccount: '別のアカウントを使う',
    invalid: 'この招待リンクは無効か、期限が切れています。',
    invalidHint: '店舗のオーナーに、新しい招待を送ってもらってください。',
    alreadyMember: 'すでにこの店舗のメンバーです。',
    openInbox: '受信箱を開く',
    openConsole: 'コンソールを開く',
    nameInvalid: 'お名前を120文字以内で入力してください。',
    passwordInvalid: 'パスワードは12文字以上、200文字以内で入力してください。',
    mismatch: '確認用のパスワードが一致しません。',
    checkInput: '入力内容を確認してください。',
    forbidden: 'この招待は、いまサインインしているアカウント宛てではありません。',
    loadFailed: '招待を読み込めませんでした。しばらくしてからもう一度お試しください。',
    failed: '招待を承諾できませんでした。しばらくしてからもう一度お試しください。',
  },
};

export type Messages = typeof ja;

const en: Messages = {
  langName: 'English',
  loading: 'Loading…',
  signIn: {
    title: 'Sign in',
    subtitle: 'Agent console',
    email: 'Email',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    wrongCredentials: 'The email or password is incorrect.',
    rateLimited: (seconds?: number) =>
      seconds ? `Too many sign-in attempts. Please try again in ${waitEn(seconds)}.` : 'Too many sign-in attempts. Please try again later.',
    network: 'Could not reach the server. Check your connection and try again.',
    failed: 'Could not sign in. Please try again later.',
    expired: 'Your session has expired. Please sign in again.',
    signedOut: 'You have signed out.',
  },
  startup: {
    network: 'Could not reach the server.',
    retry: 'Reload',
  },
  shell: {
    skipToMain: 'Skip to main content',
    mainNav: 'Main menu',
    currentShop: 'Current shop',
    switchShop: 'Switch shop',
    language: 'Language',
    account: 'Account',
    signOut: 'Sign out',
    signingOut: 'Signing out…',
    signOutFailed: 'Could not sign out. Please try again.',
    comingSoon: 'Coming soon',
    shopLoadFailed: "Could not load this shop's details.",
    noShops: 'You are not a member of any shop yet',
    noShopsHint: 'Ask the shop owner to invite you.',
  },
  nav: {
    inbox: 'Inbox',
    returns: 'Returns',
    orders: 'Orders',
    settings: 'Settings',
    setup: 'Getting started',
  },
  roles: {
    owner: 'Owner',
    staff: 'Staff',
    agent: 'Agent',
    contractor: 'Contractor',
  },
  inbox: {
    title: 'Inbox',
    empty: 'No conversations yet',
    emptyHint: 'Messages from customers will appear here.',
  },
  chat: chatEn,
  metrics: metricsEn,
  returns: returnsEn,
  invitation: {
    title: 'Shop invitation',
    invited: ['You are invited to ', ' as ', ''],
    email: 'Invited email',
    newAccount: 'Create your account to join',
    name: 'Name',
    password: 'Password (12+ characters)',
    confirm: 'Confirm password',
    create: 'Create account and accept',
    creating: 'Creating your account…',
    signInFirst: "Sign in with this email's account, then accept.",
    signedInAs: (email: string) => `You are signed in as ${email}.`,
    accept: 'Accept invitation',
    accepting: 'Accepting…',
    accepted: 'Invitation accepted. Opening the inbox…',
    wrongAccount: (current: string, invited: string) =>
      `You are signed in as ${current}, but this invitation is for ${invited}. Sign out, then continue with the invited email.`,
    signOut: 'Sign out',
    useOtherAccount: 'Use another account',
    invalid: 'This invitation link is invalid or has expired.',
    invalidHint: 'Ask the shop owner to send you a new invitation.',
    alreadyMember: 'You are already a member of this shop.',
    openInbox: 'Open the inbox',
    openConsole: 'Open the console',
    nameInvalid: 'Enter your name (up to 120 characters).',
    passwordInvalid: 'Use a password of 12 to 200 characters.',
    mismatch: 'The passwords do not match.',
    checkInput: 'Please check what you entered.',
    forbidden: 'This invitation is not for the account you are signed in with.',
    loadFailed: 'Could not load the invitation. Please try again later.',
    failed: 'Could not accept the invitation. Please try again later.',
  },
};

export const messages: Record<Lang, Messages> = { ja, en };

export const isLang = (v: unknown): v is Lang => v === 'ja' || v === 'en';

/** The person's saved choice, else their account's locale, else Japanese. */
export function initialLang(saved: string | null, userLocale: string): Lang {
  if (isLang(saved)) return saved;
  return userLocale.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

export const LangContext = createContext<Lang>('ja');

export const useLang = (): Lang => useContext(LangContext);
export const useMessages = (): Messages => messages[useContext(LangContext)];
