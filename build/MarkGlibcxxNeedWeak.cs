// MSBuild task (compiled by RoslynCodeTaskFactory): marks one GLIBCXX version need weak in ELF64 shared objects.
// ELF layout used: section headers (e_shoff @0x28, e_shentsize @0x3A, e_shnum @0x3C); the SHT_GNU_verneed section
// (type 0x6ffffffe) holds Elf64_Verneed {u16 version; u16 cnt; u32 file; u32 aux; u32 next} records, each followed at
// `aux` by `cnt` Elf64_Vernaux {u32 hash; u16 flags; u16 other; u32 name; u32 next}; names live in the section sh_link
// points to. Setting VER_FLG_WEAK (0x2) makes the loader only note a missing version instead of refusing the library.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class MarkGlibcxxNeedWeak : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionName { get; set; } = "";

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (SystemHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + VersionName + "; nothing to patch.");
            return true;
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                string result = Patch(path);
                Log.LogMessage(MessageImportance.Normal, path + ": " + result);
            }
            catch (Exception e)
            {
                Log.LogWarning("Could not mark " + VersionName + " weak in " + path + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    bool SystemHasVersion()
    {
        byte[] needle = Encoding.ASCII.GetBytes(VersionName + "\0");
        foreach (string candidate in LibStdCxxCandidates)
        {
            if (!File.Exists(candidate)) continue;
            byte[] bytes = File.ReadAllBytes(candidate);
            return IndexOf(bytes, needle) >= 0;
        }
        return false; // no libstdc++ found where we looked: patching is harmless, so patch.
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return "not an ELF file, skipped";
        if (elf[4] != 2 || elf[5] != 1) return "not little-endian ELF64, skipped";

        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            uint type = BitConverter.ToUInt32(elf, (int)sh + 4);
            if (type != 0x6ffffffe) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
            long strOffset = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 24);

            long need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                uint auxRel = BitConverter.ToUInt32(elf, (int)need + 8);
                uint nextNeed = BitConverter.ToUInt32(elf, (int)need + 12);
                long aux = need + auxRel;
                for (int a = 0; a < count; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (ReadString(elf, strOffset + name) == VersionName)
                    {
                        if ((flags & 0x2) != 0) return VersionName + " already weak";
                        flags |= 0x2;
                        elf[aux + 4] = (byte)(flags & 0xff);
                        elf[aux + 5] = (byte)(flags >> 8);
                        WriteKeepingTimestamp(path, elf);
                        return "marked " + VersionName + " weak";
                    }
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                if (nextNeed == 0) break;
                need += nextNeed;
            }
            return VersionName + " not needed, nothing to do";
        }
        return "no version-needs section, nothing to do";
    }

    static string ReadString(byte[] bytes, long start)
    {
        long end = start;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }

    static void WriteKeepingTimestamp(string path, byte[] bytes)
    {
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string temp = path + ".patching";
        File.WriteAllBytes(temp, bytes);      // a new inode: never writes through a hard link into a cache
        File.Delete(path);
        File.Move(temp, path);
        File.SetLastWriteTimeUtc(path, stamp); // same timestamp as the source: MSBuild skips the next copy
    }
}
