/**
 * Tokenizers and cross-tokenizer alignment.
 *
 * <ul>
 *   <li>{@link io.latentlink.core.tokenizer.TextTokenizer}: a local Hugging Face {@code tokenizer.json}, offline,
 *       closeable; encodes to {@link io.latentlink.core.tokenizer.TokenEncoding} (ids plus UTF-16 character spans)
 *       and decodes ids to text.</li>
 *   <li>{@link io.latentlink.core.tokenizer.TokenAligner}: for each receiver token, the sharer token position whose
 *       KV the fuser reads, by {@link io.latentlink.core.tokenizer.AlignmentStrategy} FIRST, LAST or LONGEST.</li>
 * </ul>
 *
 * <p>Typical C2C use:
 * <pre>{@code
 * try (TextTokenizer rx = TextTokenizer.load(models.resolve("rx"));
 *      TextTokenizer sx = TextTokenizer.load(models.resolve("sx"))) {
 *     TokenEncoding r = rx.encode(prompt, true);      // as the Python side: the post-processor decides
 *     TokenEncoding s = sx.encode(prompt, true);
 *     int[] sharerPos = TokenAligner.align(r, s, AlignmentStrategy.parse(fuserManifest.alignment()));
 *     // fused K/V of receiver token i reads sharer K/V at sharerPos[i]
 * }
 * }</pre>
 *
 * <p>Offsets are UTF-16 indices everywhere in this package ({@code String.substring} works on them); DJL's code point
 * offsets are converted on the way in.
 */
package io.latentlink.core.tokenizer;
