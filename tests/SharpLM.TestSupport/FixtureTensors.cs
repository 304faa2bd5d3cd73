// FixtureTensors: oracle fixture entries as SharpLM tensors (integers become i32).
using SharpLM.Tensors;

namespace SharpLM.TestSupport;

public static class FixtureTensors
{
    /// <summary>An f32 tensor (integer entries become i32 tensors).</summary>
    public static Tensor Load(this OracleFixture fx, string name)
    {
        var v = fx.Values(name);
        var shape = fx.Shape(name);
        return fx.IsInteger(name) ? Tensor.FromArray(v.Select(x => (int)x).ToArray(), shape) : Tensor.FromArray(v.Select(x => (float)x).ToArray(), shape);
    }
}
