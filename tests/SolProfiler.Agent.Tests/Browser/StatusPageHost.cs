using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Http;

namespace SolProfiler.Agent.Tests.Browser;

/// <summary>
/// A tiny Kestrel app on 127.0.0.1 that serves the status page and a canned snapshot the way the agent does, under
/// an optional path prefix (as behind a reverse proxy), so the page's relative fetch is exercised too.
/// </summary>
internal sealed class StatusPageHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StatusPageHost(WebApplication app, Uri page)
    {
        _app = app;
        PageUrl = page;
    }

    public Uri PageUrl { get; }

    public static async Task<StatusPageHost> StartAsync(Func<string> snapshotJson, string prefix = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet(prefix + "/", (HttpContext context) =>
        {
            context.Response.Headers.ETag = StatusPageContent.ETag;
            return Results.Bytes(StatusPageContent.Utf8, StatusPageContent.ContentType);
        });
        app.MapGet(prefix + "/api/v1/snapshot", () => Results.Text(snapshotJson(), "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new StatusPageHost(app, new Uri(new Uri(address), prefix + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
