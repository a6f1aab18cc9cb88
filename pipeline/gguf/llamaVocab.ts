/** SentencePiece token types as llama.cpp stores them (tokenizer.ggml.token_type). */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** A vocabulary in the arrays GGUF stores. */
export interface Vocab {
  readonly tokens: string[];
  readonly scores: Float32Array;
  readonly types: Int32Array;
}

/** Token ids of the special tokens, as in llama-2's vocabulary. */
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;

/** `<unk>`, `<s>`, `</s>` and the 256 byte tokens come before any normal piece. */
export const MIN_VOCAB = 3 + 256;

const SPACE = "\u2581";
const LETTERS = "etaoinshrdlcumwfgypbvkjxqz";
const SINGLES = `${LETTERS}${LETTERS.toUpperCase()}0123456789.,;:!?'"-()`;

/**
 * A valid SentencePiece ("llama") vocabulary of `size` tokens, laid out like
 * llama-2's: `<unk>` 0, `<s>` 1, `</s>` 2, byte tokens `<0x00>`..`<0xFF>`
 * (so any text can be tokenized by byte fallback), then unique normal pieces:
 * single characters, `▁`-prefixed words (SentencePiece's space) and letter
 * combinations, scored so shorter, earlier pieces merge first.
 *
 * @example llamaVocab(1000).tokens.slice(0, 4) // ["<unk>", "<s>", "</s>", "<0x00>"]
 */
export function llamaVocab(size: number): Vocab {
  if (!Number.isInteger(size) || size < MIN_VOCAB) {
    throw new RangeError(`Cannot build a llama vocabulary of ${size} tokens: it needs at least ${MIN_VOCAB}`);
  }
  const tokens = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TokenType.byte);
  }
  const pieces = normalPieces();
  while (tokens.length < size) {
    tokens.push(pieces.next().value as string);
    types.push(TokenType.normal);
  }
  const scores = new Float32Array(size);
  for (let i = MIN_VOCAB; i < size; i++) scores[i] = -(i - MIN_VOCAB);
  return { tokens, scores, types: Int32Array.from(types) };
}

/** Endless unique pieces: ▁, single characters, then ▁word / word for words of growing length. */
function* normalPieces(): Generator<string> {
  yield SPACE;
  for (const c of SINGLES) yield c;
  for (const c of SINGLES) yield SPACE + c;
  for (let length = 2; ; length++) {
    for (const word of words(length)) {
      yield SPACE + word;
      yield word;
    }
  }
}

/** All lower-case words of `length` letters, most frequent letters first. */
function* words(length: number): Generator<string> {
  if (length === 0) {
    yield "";
    return;
  }
  for (const head of LETTERS) for (const tail of words(length - 1)) yield head + tail;
}
