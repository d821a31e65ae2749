/**
 * How a search query is split between the full-text index and a LIKE fallback. Each word of the
 * query must appear in the message. A word made only of letters and digits, 3 to 84 characters
 * long and not an InnoDB stopword, goes to the full-text index as a prefix term ("moteur" finds
 * "moteurs"). Any other word (short, a stopword, holding punctuation, `%`, `_`, `+`, `"`, ...)
 * becomes a literal substring match, so that nothing in the query is ever read as an operator.
 * The same rule applies on SQLite (FTS5) and MySQL (FULLTEXT, and the `search_words` postings of a
 * search in one channel, whose triggers index exactly these words) so both answer alike.
 */
export interface SearchTerms {
  fullText: string[];
  literal: string[];
}

// InnoDB's default stopword list (INNODB_FT_DEFAULT_STOPWORD): the index never holds these words.
const STOPWORDS: ReadonlySet<string> = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);

const INDEXABLE = /^[\p{L}\p{N}]+$/u;

export const MAX_SEARCH_WORDS = 10;
/** Bounds of a full-text word, in characters: InnoDB's token sizes, and MySQL's `search_words` rule. */
export const MIN_INDEXED_WORD = 3;
export const MAX_INDEXED_WORD = 84;

export function splitSearchTerms(q: string): SearchTerms {
  const words = [...new Set(q.trim().split(/\s+/u).filter(Boolean))].slice(0, MAX_SEARCH_WORDS);
  const terms: SearchTerms = { fullText: [], literal: [] };
  for (const w of words) {
    const length = [...w].length;
    const indexable = INDEXABLE.test(w) && length >= MIN_INDEXED_WORD && length <= MAX_INDEXED_WORD;
    (indexable && !STOPWORDS.has(w.toLowerCase()) ? terms.fullText : terms.literal).push(w);
  }
  return terms;
}

const escapeLike = (word: string): string => word.replace(/[!%_]/g, (c) => `!${c}`);

/** `%`, `_` and the escape character itself are literal in `LIKE ? ESCAPE '!'` (same on both databases). */
export function likePattern(word: string): string {
  return `%${escapeLike(word)}%`;
}

/** Words starting with `word` (`LIKE ? ESCAPE '!'`), escaped as likePattern. */
export function prefixPattern(word: string): string {
  return `${escapeLike(word)}%`;
}
