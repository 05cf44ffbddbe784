using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>One reading of precision names, per role, for the flags, the agent's configuration and the catalogs.</summary>
public sealed class PrecisionRoleTests
{
    [Theory]
    [InlineData(PrecisionRole.Kv, "bf16, fp16, fp8")]
    [InlineData(PrecisionRole.Dispatch, "bf16, fp16, fp8")]
    [InlineData(PrecisionRole.Activations, "bf16, fp16, fp8, int8, nvfp4, mxfp4, fp32")]
    [InlineData(PrecisionRole.Weights, "bf16, fp16, fp8, int8, int4, nvfp4, mxfp4, fp32")]
    public void Each_role_takes_the_formats_the_model_has_for_it(PrecisionRole role, string names)
    {
        Assert.Equal(names, string.Join(", ", PrecisionRoles.Names(role)));
    }

    [Fact]
    public void A_name_is_read_without_regard_to_case_or_spaces()
    {
        Assert.Equal(Precision.Fp8, PrecisionRoles.Parse(" FP8 ", PrecisionRole.Kv));
        Assert.Null(PrecisionRoles.ParseOptional(null, PrecisionRole.Weights));
    }

    [Fact]
    public void A_format_the_role_does_not_take_is_refused_with_its_choices()
    {
        var e = Assert.Throws<SolInputException>(() => PrecisionRoles.Parse("int4", PrecisionRole.Kv));

        Assert.Equal("'int4' is not a KV-cache precision; expected bf16, fp16, fp8", e.Message);
    }
}
