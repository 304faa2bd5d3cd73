// Tests that assert process-wide MemoryPool counters (bytes from the OS, bytes in use) must not run while
// other tests allocate tensors, so they share a collection that xunit runs on its own, after the rest.
using Xunit;

namespace SharpLM.Tensors.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryPoolCollection
{
    public const string Name = "MemoryPool counters";
}
