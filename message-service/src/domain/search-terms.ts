/**
 * How a search query is split between the full-text index and a LIKE fallback. Each word of the
 * query must appear in the message. A word made only of letters and digits, 3 to 84 characters
 * long and not an InnoDB stopword, goes to the full-text index as a prefix term ("moteur" finds
 * "moteurs"). Any other word (short, a stopword, holding punctuation, `%`, `_`, `+`, `"`, ...)
 * becomes a literal substring match, so that nothing in the query is ever read as an operator.
 * The same rule applies on SQLite (FTS5) and MySQL (FULLTEXT) so both answer alike.
 */
export interface SearchTerms {
  fullText: string[];
  literal: string[];
}

// InnoDB's default stopword list (INNODB_FT_DEFAULT_STOPWORD): the index never holds these words.
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);

const INDEXABLE = /^[\p{L}\p{N}]+$/u;

export const MAX_SEARCH_WORDS = 10;

export function splitSearchTerms(q: string): SearchTerms {
  const words = [...new Set(q.trim().split(/\s+/u).filter(Boolean))].slice(0, MAX_SEARCH_WORDS);
  const terms: SearchTerms = { fullText: [], literal: [] };
  for (const w of words) {
    const length = [...w].length;
    if (INDEXABLE.test(w) && length >= 3 && length <= 84 && !STOPWORDS.has(w.toLowerCase())) terms.fullText.push(w);
    else terms.literal.push(w);
  }
  return terms;
}

/** `%`, `_` and the escape character itself are literal in `LIKE ? ESCAPE '!'` (same on both databases). */
export function likePattern(word: string): string {
  return `%${word.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
