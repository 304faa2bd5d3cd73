// CheckpointTensors: F32 safetensors read/write for checkpoints (TEMPORARY: replaced by the Models
// Formats/Safetensors reader and writer when they land). Keys are sorted as the Python library writes them.
using System.Text;
using System.Text.Json;

namespace SharpLM.Training.Checkpoints;

internal static class CheckpointTensors
{
    public static void Write(string path, IReadOnlyDictionary<string, float[]> data, IReadOnlyDictionary<string, int[]> shapes)
    {
        var header = new Dictionary<string, object>();
        long off = 0;
        foreach (var k in data.Keys.Order(StringComparer.Ordinal))
        {
            long n = data[k].Length * 4L;
            header[k] = new { dtype = "F32", shape = shapes[k], data_offsets = new[] { off, off + n } };
            off += n;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - json.Length % 8) % 8;
        var tmp = path + ".tmp";
        using (var f = File.Create(tmp))
        {
            f.Write(BitConverter.GetBytes((long)(json.Length + pad)));
            f.Write(json);
            for (int i = 0; i < pad; i++) f.WriteByte((byte)' ');
            foreach (var k in data.Keys.Order(StringComparer.Ordinal)) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data[k].AsSpan()));
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static Dictionary<string, (float[] Data, int[] Shape)> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        if (n <= 0 || 8 + n > bytes.Length) throw new FormatException($"{path}: header length {n} does not fit in the file of {bytes.Length} bytes.");
        using var doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(bytes, 8, (int)n));
        var res = new Dictionary<string, (float[], int[])>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var off = p.Value.GetProperty("data_offsets");
            long b = off[0].GetInt64(), e = off[1].GetInt64();
            if (p.Value.GetProperty("dtype").GetString() != "F32" || b < 0 || e < b || 8 + n + e > bytes.Length)
                throw new FormatException($"{path}: tensor '{p.Name}' has an unsupported dtype or offsets outside the file.");
            var data = new float[(e - b) / 4];
            Buffer.BlockCopy(bytes, (int)(8 + n + b), data, 0, (int)(e - b));
            res[p.Name] = (data, p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
        }
        return res;
    }
}
