using System.Text;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>A series as messages name it: <c>name{label="value",...}</c>, values escaped as the text format escapes them.</summary>
internal static class SeriesText
{
    public static string Format(string name, IReadOnlyList<Label> labels)
    {
        if (labels.Count == 0)
        {
            return name;
        }

        var sb = new StringBuilder(name).Append('{');
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(labels[i].Name).Append("=\"");
            foreach (var c in labels[i].Value)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }
}
