using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SolProfiler.Analysis;
using SolProfiler.Agent.Hosting;
using SolProfiler.Agent.Sources;

namespace SolProfiler.Agent.Http;

/// <summary>
/// The agent's HTTP surface besides <c>/metrics</c>: liveness, readiness, the JSON snapshot and the status page.
/// Read-only: nothing here changes the agent.
/// </summary>
public static class AgentEndpoints
{
    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Liveness: the process is up and serving HTTP. Deliberately independent of the sources.
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));

        // Readiness: every configured source delivers and an analysis has run.
        app.MapGet("/readyz", (SourceHealthSet health, SnapshotStore store) =>
        {
            var sources = health.All.Select(s => s.Status()).ToArray();
            // Ready means the agent reads its sources; a window without decode traffic is not a fault of the agent (and an
            // unready sidecar would take the inference server's pod out of its Service), so it is said, not failed.
            var latest = store.Latest;
            var ready = sources.All(s => s.Up) && latest is not null;
            var body = new Readiness(
                ready,
                sources.Select(s => new ReadinessSource(s.Source, s.Up, s.LastError)).ToArray(),
                Analyzed: latest is not null,
                Measuring: latest?.Valid ?? false,
                latest?.InvalidReason);
            return Results.Json(body, AgentHttpJson.Readiness, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/v1/snapshot", (SnapshotStore store, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return store.Latest is { } snapshot
                ? Results.Json(snapshot, context.Request.Query.ContainsKey("pretty") ? AgentJson.SnapshotIndented : AgentJson.Snapshot)
                : Results.Json(new ApiError("no analysis yet: the first runs within one sample interval of start"), AgentHttpJson.ApiError, statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        // The status page: one self-contained file, no external assets; it polls api/v1/snapshot. Once there is a
        // snapshot, the page carries it (rendered and embedded), so it is never cached.
        app.MapGet("/", (HttpContext context, SnapshotStore store) =>
        {
            if (store.Latest is { } snapshot)
            {
                context.Response.Headers.CacheControl = "no-store";
                return Results.Text(StatusPageFirstRender.Render(snapshot), StatusPageContent.ContentType);
            }

            context.Response.Headers.ETag = StatusPageContent.ETag;
            context.Response.Headers.CacheControl = "no-cache";
            if (context.Request.Headers.IfNoneMatch == StatusPageContent.ETag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            return Results.Bytes(StatusPageContent.Utf8, StatusPageContent.ContentType);
        });

        return app;
    }

}
