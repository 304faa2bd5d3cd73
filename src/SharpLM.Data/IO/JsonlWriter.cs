// JsonlWriter: writes documents as {"id","text","source"} lines to a temporary file renamed into place on success,
// so an interrupted run never leaves a half-written output.
using System.Text;
using System.Text.Json;

namespace SharpLM.Data.IO;

public static class JsonlWriter
{
    public static void Write(string path, IEnumerable<Document> docs)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp, false, new UTF8Encoding(false)))
            foreach (var d in docs)
                w.Write(JsonSerializer.Serialize(new { id = d.Id, text = d.Text, source = d.Source }) + "\n");
        File.Move(tmp, path, overwrite: true);
    }
}
