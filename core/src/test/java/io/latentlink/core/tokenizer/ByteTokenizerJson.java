package io.latentlink.core.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a minimal byte-level tokenizer.json: one token per UTF-8 byte (id = byte value), GPT-2 byte-to-unicode
 * mapping, no merges, and a post-processor that prepends {@code <s>} (id 256) when special tokens are asked for.
 * Like the demo sharer, it splits every multi-byte character into several tokens with the same span.
 */
final class ByteTokenizerJson {

    static final int BOS_ID = 256;

    private ByteTokenizerJson() {
    }

    static Path write(Path dir) throws IOException {
        StringBuilder vocab = new StringBuilder();
        int[] byteToChar = gpt2ByteToUnicode();
        for (int b = 0; b < 256; b++) {
            if (b > 0) {
                vocab.append(',');
            }
            vocab.append('"').append(jsonChar(byteToChar[b])).append("\":").append(b);
        }
        String byteLevel = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}";
        String json = """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[{"id":256,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,
                                  "normalized":false,"special":true}],
                 "normalizer":null,
                 "pre_tokenizer":%s,
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                           {"Sequence":{"id":"B","type_id":1}}],
                   "special_tokens":{"<s>":{"id":"<s>","ids":[256],"tokens":["<s>"]}}},
                 "decoder":%s,
                 "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,
                          "end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,"ignore_merges":false,
                          "vocab":{%s},"merges":[]}}
                """.formatted(byteLevel, byteLevel, vocab);
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    /** GPT-2's reversible map from bytes to printable code points. */
    private static int[] gpt2ByteToUnicode() {
        int[] map = new int[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? b : next++;
        }
        return map;
    }

    private static String jsonChar(int cp) {
        if (cp == '"' || cp == '\\') {
            return "\\" + (char) cp;
        }
        return new String(Character.toChars(cp));
    }
}
