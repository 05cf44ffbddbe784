namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>Turns per-call results into nullable values, recording missing fields, warnings and GPU loss.</summary>
internal sealed class NvmlFieldReader(int index, HashSet<string> missing, List<string> warnings)
{
    public bool Lost { get; private set; }

    public T? Take<T>(NvmlResult<T> result, string field, string call)
        where T : struct
    {
        if (result.IsSuccess)
        {
            return result.Value;
        }

        Note(result.Code, field, call);
        return null;
    }

    public string? Take(NvmlResult<string> result, string field, string call)
    {
        if (result.IsSuccess)
        {
            return result.Value;
        }

        Note(result.Code, field, call);
        return null;
    }

    public double? TakeField(NvmlReturn call, in NvmlFieldValue value, string field)
    {
        var code = call != NvmlReturn.Success ? call : value.Return;
        if (code == NvmlReturn.Success && value.AsDouble() is { } v)
        {
            return v;
        }

        Note(code == NvmlReturn.Success ? NvmlReturn.Unknown : code, field, $"nvmlDeviceGetFieldValues({value.FieldId})");
        return null;
    }

    /// <summary>Lists the fields missing without a warning (data not available yet, or not on this device).</summary>
    public void Missing(IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            missing.Add(field);
        }
    }

    /// <summary>One failed call behind several fields: all listed missing, at most one warning.</summary>
    public void NoteAll(NvmlReturn code, string[] fields, string call)
    {
        Missing(fields);
        Note(code, fields[0], call);
    }

    private void Note(NvmlReturn code, string field, string call)
    {
        missing.Add(field);
        if (code == NvmlReturn.GpuIsLost)
        {
            Lost = true;
        }
        else if (code is not (NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound or NvmlReturn.NoData))
        {
            warnings.Add($"GPU {index}: {Describe(call, code)}");
        }
    }

    /// <summary>A failed call as warnings name it: the call, NVML's own message and the code.</summary>
    internal static string Describe(string call, NvmlReturn code) =>
        $"{call}: {NvmlLibrary.ErrorString(code)} (NVML_ERROR {(int)code} {code})";
}
