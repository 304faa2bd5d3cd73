// Document: one unit of pretraining text with where it came from (file:line or file#row).
namespace SharpLM.Data.IO;

public sealed record Document(string Id, string Text, string Source);
