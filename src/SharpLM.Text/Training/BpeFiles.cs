// BpeFiles: writes a trained byte-level BPE in the formats other tools read: GPT-2's vocab.json + merges.txt
// ("#version: 0.2" header, as Hugging Face writes it) and a Hugging Face tokenizer.json (model BPE, ByteLevel
// pre-tokenizer / post-processor / decoder without prefix space, the special tokens as added_tokens).
// Files are written to a temporary name and renamed, so a failed run leaves nothing half written.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SharpLM.Text.Training;

/// <summary>Writers for trained byte-level BPE vocabularies.</summary>
public static class BpeFiles
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Pretty = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary>vocab.json: token text → id, in id order.</summary>
    public static string VocabJson(BpeTrainingResult bpe)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty))
        {
            w.WriteStartObject();
            for (int id = 0; id < bpe.Tokens.Count; id++) w.WriteNumber(bpe.TokenText(id), id);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>merges.txt with the "#version: 0.2" header line.</summary>
    public static string MergesTxt(BpeTrainingResult bpe)
    {
        var sb = new StringBuilder("#version: 0.2\n");
        foreach (var line in bpe.MergeLines()) sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>A Hugging Face tokenizer.json for the trained model.</summary>
    public static string TokenizerJson(BpeTrainingResult bpe)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            for (int id = 0; id < bpe.SpecialTokens.Count; id++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("content", bpe.SpecialTokens[id]);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNull("normalizer");
            WriteByteLevel(w, "pre_tokenizer", trimOffsets: true);
            WriteByteLevel(w, "post_processor", trimOffsets: false);
            WriteByteLevel(w, "decoder", trimOffsets: true);
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteBoolean("ignore_merges", false);
            w.WriteStartObject("vocab");
            for (int id = 0; id < bpe.Tokens.Count; id++) w.WriteNumber(bpe.TokenText(id), id);
            w.WriteEndObject();
            w.WriteStartArray("merges");
            foreach (var line in bpe.MergeLines()) w.WriteStringValue(line);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes vocab.json, merges.txt and tokenizer.json into <paramref name="directory"/>.</summary>
    public static void Save(BpeTrainingResult bpe, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, "vocab.json"), VocabJson(bpe));
        WriteAtomically(Path.Combine(directory, "merges.txt"), MergesTxt(bpe));
        WriteAtomically(Path.Combine(directory, "tokenizer.json"), TokenizerJson(bpe));
    }

    /// <summary>Writes UTF-8 text (no BOM) to a temporary file, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string content)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, content, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    private static void WriteByteLevel(Utf8JsonWriter w, string name, bool trimOffsets)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }
}
