namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>Reads one GPU's values by field id: blanks and non-OK statuses are null; unexpected statuses warn.</summary>
internal readonly struct DcgmValueReader(DcgmFieldValueV2[] values, uint gpu, Dictionary<ushort, int> map, List<string> warnings)
{
    public double? Number(ushort fieldId) => Get(fieldId, out var index) ? DcgmValues.AsNumber(values[index]) : null;

    public string? Text(ushort fieldId) => Get(fieldId, out var index) ? DcgmValues.AsString(values[index]) : null;

    private bool Get(ushort fieldId, out int index)
    {
        if (!map.TryGetValue(fieldId, out index))
        {
            return false;
        }

        var status = values[index].Status;
        if (status == DcgmReturn.Ok)
        {
            return true;
        }

        if (status is not (DcgmReturn.NotSupported or DcgmReturn.NoData or DcgmReturn.NotWatched))
        {
            var text = $"GPU {gpu}: field {fieldId}: {DcgmLibrary.Describe("dcgmEntitiesGetLatestValues", status)}";
            if (!warnings.Contains(text))
            {
                warnings.Add(text);
            }
        }

        return false;
    }
}
