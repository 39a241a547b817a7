/**
 * The search's estimate of how many conversations a text matches, worked out in the process
 * from the index's statistics (read and kept by searchStatistics in
 * conversations.search.repository.ts). Pure: no I/O.
 */

/**
 * How often the search index's words occur, as ANALYZE last saw them: the most common grams of
 * `conversation_search.grams` with their frequencies (at most ten times the statistics target:
 * 1,000 by default), and the index's rows.
 */
export interface SearchStatistics {
  /** Each most common gram (shop key and gram, as search_query_grams writes it) and its frequency. */
  frequencies: Map<string, number>;
  /** The index's rows, as the statistics count them (0 before the first ANALYZE). */
  rows: number;
}

/** search_text (migration 0034) in the process: NFKC, lower case. */
const searchText = (p: string) => p.normalize('NFKC').toLowerCase();

/** search_key (migration 0034): a shop's key, the first 12 hex digits of its id and the dash, as uuid's text writes them (lower case). */
const searchKey = (shopId: string) => shopId.slice(0, 13).toLowerCase();

/**
 * search_query_grams (migration 0034) in the process, word by word: each word's pairs at its
 * 1st, 3rd, 5th… characters and its last pair, or the word itself when it has one character,
 * each prefixed with the shop's key. Characters are code points, as PostgreSQL counts them.
 * `inbox.search.test.ts` holds it equal to the SQL function for Japanese, Latin, full- and
 * half-width and emoji texts. Where the two could still differ (lower case outside ASCII under
 * a C locale, rare kinds of white space), only the estimate differs: it picks the way a search
 * takes, and every way finds the same rows.
 */
export function queryGramsByWord(shopId: string, text: string): string[][] {
  const key = searchKey(shopId);
  return searchText(text)
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map((word) => {
      const c = Array.from(word);
      if (c.length === 1) return [key + word];
      const grams = new Set<string>();
      for (let i = 0; i < c.length - 1; i += 2) grams.add(key + c[i] + c[i + 1]);
      grams.add(key + c[c.length - 2] + c[c.length - 1]);
      return [...grams];
    });
}

/**
 * About how many conversations of the shop `text` matches, by the index's statistics: for each
 * word, the frequency of its least frequent gram (the pairs of one word go together); the
 * words' frequencies multiplied (two words go together less); times the index's rows. A gram
 * not among the most common counts as none, so a rare word, a new table or PGlite before its
 * first ANALYZE give 0. At 100,000 conversations: 配送 17,918 (18,008 match), ギフト 4,074
 * (3,979), 山下 太郎 94 (111). The planner's own estimate multiplies every gram's frequency, the
 * halves of one word too: it gave 5 for ギフト.
 */
export function expectedMatches(s: SearchStatistics, shopId: string, text: string): number {
  const words = queryGramsByWord(shopId, text);
  if (!words.length) return 0;
  let share = 1;
  for (const grams of words) share *= Math.min(...grams.map((g) => s.frequencies.get(g) ?? 0));
  return share * s.rows;
}
