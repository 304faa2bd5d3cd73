// Erf: the error function in double precision (the runtime has none). Maclaurin series for |x| < 2.5
// (terms stay below ~100, so double keeps ~1e-14 accuracy), and for |x| >= 2.5 the Laplace continued
// fraction of erfc evaluated from its tail (converges quickly there).
namespace SharpLM.Tensors.Cpu;

internal static class Erf
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    public static double Eval(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return TwoOverSqrtPi * sum;
        }
        if (ax > 6) return Math.Sign(x);
        double t = ax;
        for (int k = 60; k >= 1; k--) t = ax + k / 2.0 / t;
        double erfc = Math.Exp(-ax * ax) * InvSqrtPi / t;
        return Math.Sign(x) * (1 - erfc);
    }
}
