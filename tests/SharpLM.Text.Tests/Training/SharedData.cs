// SharedData: ../shared/data beside the repository, through TestSupport.RepoPaths, which fails loudly when a
// file is missing; these tests never skip.
namespace SharpLM.Text.Tests.Training;

internal static class SharedData
{
    public static string Path(string relative) => SharpLM.TestSupport.RepoPaths.SharedData(relative.Split('/'));
}
