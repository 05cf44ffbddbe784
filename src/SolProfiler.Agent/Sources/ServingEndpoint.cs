using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Sources;

/// <summary>The serving source, resolved: how to scrape it.</summary>
public sealed record ServingEndpoint(ServingScraper Scraper, ScrapeOptions Options);
