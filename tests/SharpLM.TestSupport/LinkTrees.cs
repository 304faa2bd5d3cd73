// LinkTrees: builds the symbolic-link layouts model files are reached through in the wild, inside a test's temp
// folder: a Hugging Face hub cache (models--org--name with blobs/<sha>, snapshots/<rev>/<file> → ../../blobs/<sha>
// relative links, refs/main), and folders whose every file is a link (absolute or relative) to a real file.
using System.Security.Cryptography;

namespace SharpLM.TestSupport;

public static class LinkTrees
{
    /// <summary>
    /// A hub cache folder <paramref name="root"/>/models--<paramref name="repoId"/> ("org/name" → "org--name") holding
    /// the files of <paramref name="source"/> as content-named blobs, reached from snapshots/<paramref name="revision"/>/
    /// through relative links, with refs/main naming the revision (as `huggingface-cli download` leaves it). Returns the cache folder.
    /// </summary>
    public static string HubCache(string root, string repoId, string source, string revision = "0123456789abcdef0123456789abcdef01234567")
    {
        string cache = Path.Combine(root, "models--" + repoId.Replace("/", "--"));
        string blobs = Path.Combine(cache, "blobs"), snapshot = Path.Combine(cache, "snapshots", revision);
        Directory.CreateDirectory(blobs);
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(cache, "refs"));
        foreach (var file in Directory.GetFiles(source))
        {
            var bytes = File.ReadAllBytes(file);
            string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            File.WriteAllBytes(Path.Combine(blobs, sha), bytes);
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", sha));
        }
        File.WriteAllText(Path.Combine(cache, "refs", "main"), revision); // no newline, as huggingface_hub writes it
        return cache;
    }

    /// <summary>A new folder <paramref name="folder"/> with one link per file of <paramref name="source"/>: relative targets
    /// (<paramref name="relative"/>) or absolute ones. Returns the folder.</summary>
    public static string LinkedFolder(string folder, string source, bool relative)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source))
        {
            string full = Path.GetFullPath(file);
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), relative ? Path.GetRelativePath(Path.GetFullPath(folder), full) : full);
        }
        return folder;
    }

    /// <summary>A link <paramref name="link"/> to <paramref name="target"/>, written relative to the link's folder when <paramref name="relative"/>.</summary>
    public static string Link(string link, string target, bool relative)
    {
        string full = Path.GetFullPath(target);
        File.CreateSymbolicLink(link, relative ? Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(link))!, full) : full);
        return link;
    }
}
