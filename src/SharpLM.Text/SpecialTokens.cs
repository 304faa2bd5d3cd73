// SpecialTokens: the ids of the beginning/end-of-sequence, unknown, padding (and BERT's separator/class/mask)
// tokens, and whether Encode(addSpecial: true) prepends BOS / appends EOS.
namespace SharpLM.Text;

/// <summary>Special-token ids of a tokenizer; null where the vocabulary has none.</summary>
public sealed record SpecialTokens
{
    public int? Bos { get; init; }
    public int? Eos { get; init; }
    public int? Unk { get; init; }
    public int? Pad { get; init; }
    public int? Sep { get; init; }
    public int? Cls { get; init; }
    public int? Mask { get; init; }
    public bool AddBos { get; init; }
    public bool AddEos { get; init; }
}
