/**
 * The order exports of the shop platforms small Japanese shops use, read as they are: each preset says
 * which of the platform's columns fill which of madoguchi's, and how a value is derived when no one
 * column holds it. The import report names the platform's own column.
 *
 * Sources of the layouts (header names exactly as the platforms write them):
 * - Shopify: the admin's Orders → Export CSV ("orders_export.csv"), documented in Shopify's help
 *   (help.shopify.com/manual/orders/export-orders) and seen in many tools that read it. One row per
 *   line item; the order's own columns are filled on its first row only.
 * - BASE: 注文情報のCSVダウンロード (Shift_JIS), header row as tools reading it spell it:
 *   注文ID, 注文日時, 氏(請求先), 名(請求先), 郵便番号(請求先) … 商品名, バリエーション, 価格, 税率, 数量,
 *   合計金額, 送料, 支払い方法, 代引き手数料, 発送状況, 商品ID, 種類ID, 購入元, 配送日, 配送時間帯, 注文メモ,
 *   調整金額 (newer files add 商品コード, 種類コード, JAN / GTIN). One row per item, order columns repeated.
 * - カラーミーショップ: 受注データ (sales_all.csv, Shift_JIS): 売上ID, 受注日, 購入者 名前, 購入者 メールアドレス,
 *   購入者 郵便番号/都道府県/住所/電話番号, 配送先 名前/郵便番号/都道府県名/住所/電話番号, 購入商品 商品ID,
 *   購入商品 商品名, 購入商品 販売価格(消費税込), 購入商品 販売個数, 送料合計, 決済方法, 決済手数料, 割引金額,
 *   発送日時 — from the open-source readers of that file (label_me, a Laravel importer); no official list was
 *   found, and 購入商品 型番 / 購入商品 消費税率 are read when present (names not confirmed).
 * - MakeShop: 注文出力用テンプレート (manual.makeshop.jp, "注文出力用テンプレートの設定"): 日付 (2022/8/10),
 *   注文時間 (hhmmss), 注文番号 (P…), 処理状況, 注文者 are as documented; the merchant chooses the other
 *   columns of a template, so those are read under the names that list uses where found and common
 *   alternatives otherwise (メールアドレス, 電話番号, 郵便番号, 都道府県, 住所, 商品名, 独自商品コード, 数量,
 *   販売価格, 送料, 代引手数料, 決済方法).
 * - STORES: no documented column list of its order CSV was found; the preset reads the names of STORES'
 *   order screen (注文番号, 注文日時, 購入者名, 購入者メールアドレス, 配送先…, アイテム名, アイテムID,
 *   バリエーション, 単価, 数量, 送料, 決済方法, 発送日) and is the least certain of the five. A file it does
 *   not fit falls through to the column-mapping step.
 */
import { base, colorme, makeshop, stores } from './orders.presets.jp.ts';
import type { PlatformPreset, Preset } from './orders.presets.read.ts';
import { shopify } from './orders.presets.shopify.ts';

export type { Derived, Get, OrderRecord, Pick, PlatformPreset, Preset } from './orders.presets.read.ts';

/** In the order they are tried; the best-recognised one wins. */
export const presets: readonly Preset[] = [shopify, base, colorme, makeshop, stores];

export const presetById = (id: PlatformPreset) => presets.find((p) => p.id === id)!;
