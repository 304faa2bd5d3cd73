// SftDataReader: reads supervised fine-tuning data from JSON Lines into conversations (ChatMessage lists), in the
// forms instruction data is published in:
//   messages       OpenAI chat: {"messages": [{"role": "system|user|assistant|tool", "content": "…"}, …]}
//   sharegpt       ShareGPT:    {"conversations": [{"from": "system|human|gpt", "value": "…"}, …]}
//   alpaca         Alpaca:      {"instruction": "…", "input": "…", "output": "…"} (input may be empty or absent;
//                  a non-empty input follows the instruction after a blank line, as Alpaca's own prompt puts it)
//   self-instruct  self-instruct seed tasks / user-oriented instructions: {"instruction": "…", "instances":
//                  [{"input": "…", "output": "…"}, …]} — one conversation per instance
// "auto" picks the form from each line's keys. A key that is not part of the form (and is not one of the
// bookkeeping keys id, name, is_classification, motivation_app) is an error naming the file, line and key:
// an unread field could change what is trained. Errors are one line: file:line: field: what was expected.
using System.Text.Json;
using SharpLM.Text.ChatTemplates;

namespace SharpLM.Training.Sft;

/// <summary>Which JSONL form a data file is in.</summary>
public enum SftFormat { Auto, Messages, ShareGpt, Alpaca, SelfInstruct }

/// <summary>Reads conversations from SFT JSONL files.</summary>
public static class SftDataReader
{
    private static readonly HashSet<string> Bookkeeping = ["id", "name", "is_classification", "motivation_app", "source", "category"];

    /// <summary>Every conversation of <paramref name="path"/> in file order.</summary>
    public static List<IReadOnlyList<ChatMessage>> Read(string path, SftFormat format = SftFormat.Auto)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: SFT data file not found (expected JSON Lines).", path);
        var result = new List<IReadOnlyList<ChatMessage>>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string where = $"{path}:{lineNo}";
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new FormatException($"{where}: not a JSON object ({e.Message})"); }
            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object) throw new FormatException($"{where}: expected a JSON object, got {o.ValueKind}.");
                result.AddRange(ReadLine(o, format == SftFormat.Auto ? Detect(o, where) : format, where));
            }
        }
        return result;
    }

    /// <summary>The form a line's keys say it is in.</summary>
    private static SftFormat Detect(JsonElement o, string where) =>
        o.TryGetProperty("messages", out _) ? SftFormat.Messages
        : o.TryGetProperty("conversations", out _) ? SftFormat.ShareGpt
        : o.TryGetProperty("instances", out _) ? SftFormat.SelfInstruct
        : o.TryGetProperty("instruction", out _) ? SftFormat.Alpaca
        : throw new FormatException($"{where}: none of the keys messages, conversations, instruction (+instances) found; cannot tell the data form (keys: {string.Join(", ", o.EnumerateObject().Select(p => p.Name))}).");

    private static IEnumerable<IReadOnlyList<ChatMessage>> ReadLine(JsonElement o, SftFormat f, string where)
    {
        switch (f)
        {
            case SftFormat.Messages:
                CheckKeys(o, where, "messages");
                yield return Turns(Array(o, "messages", where), where, "messages", "role", "content", MessagesRole);
                break;
            case SftFormat.ShareGpt:
                CheckKeys(o, where, "conversations");
                yield return Turns(Array(o, "conversations", where), where, "conversations", "from", "value", ShareGptRole);
                break;
            case SftFormat.Alpaca:
                CheckKeys(o, where, "instruction", "input", "output", "system");
                yield return Alpaca(o, where, Str(o, "instruction", where), OptStr(o, "input", where), Str(o, "output", where));
                break;
            default:
                CheckKeys(o, where, "instruction", "instances");
                string instruction = Str(o, "instruction", where);
                int i = 0;
                foreach (var inst in Array(o, "instances", where))
                {
                    string w = $"{where}: instances[{i++}]";
                    if (inst.ValueKind != JsonValueKind.Object) throw new FormatException($"{w}: expected an object with input and output.");
                    CheckKeys(inst, w, "input", "output");
                    yield return Alpaca(inst, w, instruction, OptStr(inst, "input", w), Str(inst, "output", w));
                }
                break;
        }
    }

    /// <summary>Alpaca's single turn: the instruction, then the input after a blank line when there is one.</summary>
    private static IReadOnlyList<ChatMessage> Alpaca(JsonElement o, string where, string instruction, string input, string output)
    {
        var list = new List<ChatMessage>(3);
        if (o.TryGetProperty("system", out _)) list.Add(ChatMessage.System(Str(o, "system", where)));
        list.Add(ChatMessage.User(input.Length == 0 ? instruction : instruction + "\n\n" + input));
        list.Add(ChatMessage.Assistant(output));
        return list;
    }

    private static ChatRole MessagesRole(string role, string where) => role switch
    {
        "system" or "developer" => ChatRole.System,
        "user" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        "tool" => ChatRole.Tool,
        _ => throw new FormatException($"{where}: unknown role \"{role}\" (expected system, user, assistant or tool)."),
    };

    private static ChatRole ShareGptRole(string from, string where) => from switch
    {
        "system" => ChatRole.System,
        "human" or "user" => ChatRole.User,
        "gpt" or "assistant" or "chatgpt" => ChatRole.Assistant,
        "tool" or "function" or "observation" => ChatRole.Tool,
        _ => throw new FormatException($"{where}: unknown speaker \"{from}\" (expected system, human or gpt)."),
    };

    private static IReadOnlyList<ChatMessage> Turns(JsonElement.ArrayEnumerator items, string where, string field, string roleKey, string textKey,
        Func<string, string, ChatRole> role)
    {
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in items)
        {
            string w = $"{where}: {field}[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw new FormatException($"{w}: expected an object with {roleKey} and {textKey}.");
            CheckKeys(m, w, roleKey, textKey, "name");
            var msg = new ChatMessage(role(Str(m, roleKey, w), w), Str(m, textKey, w));
            if (m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String) msg = msg with { Name = n.GetString() };
            list.Add(msg);
        }
        return list;
    }

    private static void CheckKeys(JsonElement o, string where, params string[] allowed)
    {
        foreach (var p in o.EnumerateObject())
            if (!allowed.Contains(p.Name) && !Bookkeeping.Contains(p.Name))
                throw new FormatException($"{where}: unknown key \"{p.Name}\" (this form reads {string.Join(", ", allowed)}).");
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement o, string key, string where) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray()
        : throw new FormatException($"{where}: {key}: expected an array.");

    private static string Str(JsonElement o, string key, string where) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
        : throw new FormatException($"{where}: {key}: expected a string{(o.TryGetProperty(key, out _) ? $", got {v.ValueKind}" : " (missing)")}.");

    private static string OptStr(JsonElement o, string key, string where) =>
        !o.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? "" : Str(o, key, where);
}
