using System.Text.Encodings.Web;
using System.Text.Json;

namespace Planner.Cli.Infrastructure;

/// <summary>Writes one JSON object to a text writer.</summary>
internal static class Json
{
    public static void WriteObject(TextWriter output, Action<Utf8JsonWriter> body, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes a number, or null when it is not finite (JSON has no NaN).</summary>
    public static void Number(this Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumber(name, Math.Round(value, 6));
        else writer.WriteNull(name);
    }
}
