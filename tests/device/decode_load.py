#!/usr/bin/env python3
"""Decode load for tests/device/run.sh: a server whose vLLM-V1-shaped /metrics describe steps it really ran and timed.

Real mode (PyTorch with CUDA): a random-weight Llama-style decoder (default the Llama-3.1-8B shape, bf16) steps decode
at a fixed batch over a fixed context held in a preallocated KV cache; each step is timed with CUDA events. The KV
cache is filled with random values instead of a prefill, and every step attends to all CONTEXT cached positions
(the new token's K/V overwrite a rolling slot), so the context, and the cost of a step, stay fixed.
Dry run (--dry-run, or whenever torch, CUDA or the model build fails): the same server, but a step is a
time.sleep(STEP_MS), timed with time.perf_counter; the metrics are measurements of those sleeps.

The server (127.0.0.1:PORT, stdlib http.server in a thread) answers
  GET /metrics     vLLM 0.11+ names (engine="0", model_name=NAME) with vLLM's histogram buckets: the families the
                   SolProfiler vLLM adapter reads (src/SolProfiler.Telemetry/Serving/Adapters/VllmFamily.cs)
  GET /v1/models   {"object":"list","data":[{"id":NAME,"object":"model"}]}
  GET /summary     this loader's own measurement so far (JSON; also written to --summary on exit)
  GET /health      200 once it serves
The BATCH sequences never finish: each step emits BATCH tokens and observes the step time BATCH times in
vllm:inter_token_latency_seconds (once per running request per step, as vLLM does), so the histogram's mean is the
mean step. The first metered step is every request's first token (time_to_first_token, prompt_tokens_total); the
--warmup steps before it are not metered.

Only the standard library, plus torch where present. Exit status: 0 after SIGTERM/SIGINT or --duration, 1 when the
server cannot start (port in use, bad arguments).
"""

import argparse
import bisect
import json
import math
import os
import signal
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Llama-3.1-8B (the SolProfiler catalog's llama-3.1-8b): the default shape.
DEFAULT_NAME = "meta-llama/Llama-3.1-8B-Instruct"
SHAPE_DEFAULTS = dict(hidden=4096, layers=32, heads=32, kv_heads=8, intermediate=14336, vocab=128256)

# vLLM's bucket bounds (vllm/v1/metrics/loggers.py, as in tests/SolProfiler.Telemetry.Tests/Fixtures/vllm-v1).
ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0]
TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
                40.0, 80.0, 160.0, 640.0, 2560.0]
E2E_BUCKETS = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
               480.0, 960.0, 1920.0, 7680.0]
ITERATION_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]
KV_BLOCK_TOKENS = 16


def log(message):
    print(f"decode_load: {message}", file=sys.stderr, flush=True)


def number(value):
    """A float as prometheus_client prints it (Python's repr: 12.0, 1e-05, +Inf)."""
    value = float(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


class Histogram:
    def __init__(self, bounds):
        self.bounds = [float(b) for b in bounds]
        self.buckets = [0] * (len(self.bounds) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value, times=1):
        # le semantics: a value equal to a bound belongs to that bound's bucket.
        self.buckets[bisect.bisect_left(self.bounds, value)] += times
        self.sum += value * times
        self.count += times

    def write(self, out, name, help_text, labels):
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} histogram")
        cumulative = 0
        for bound, n in zip(self.bounds + [math.inf], self.buckets):
            cumulative += n
            out.append(f'{name}_bucket{{le="{number(bound)}",{labels}}} {number(cumulative)}')
        out.append(f"{name}_count{{{labels}}} {number(self.count)}")
        out.append(f"{name}_sum{{{labels}}} {number(self.sum)}")


class Meter:
    """What the step loop measured, read by the HTTP thread under one lock."""

    def __init__(self, args, mode):
        self.lock = threading.Lock()
        self.args = args
        self.mode = mode            # "torch" or "dry-run"
        self.timer = "perf_counter"
        self.facts = {}             # set once before serving: device, dtype, memory, ...
        self.started = time.time()
        self.steps = []             # (unix time, step seconds, wall seconds) of every metered step after the first
        self.first_step_s = None
        self.generation_tokens = 0
        self.prompt_tokens = 0
        self.itl = Histogram(ITL_BUCKETS)
        self.ttft = Histogram(TTFT_BUCKETS)
        self.e2e = Histogram(E2E_BUCKETS)
        self.request_tpot = Histogram(ITL_BUCKETS)
        self.iteration = Histogram(ITERATION_BUCKETS)
        self.recent = deque()       # (unix time, step seconds) within the last --window-s
        self.events = []            # mode changes and failures, for the summary

    def record(self, step_s, wall_s):
        batch, context = self.args.batch, self.args.context
        now = time.time()
        with self.lock:
            if self.first_step_s is None:
                # Every request's first token: its prompt is counted now, as vLLM counts it.
                self.first_step_s = step_s
                self.ttft.observe(step_s, batch)
                self.prompt_tokens += batch * context
                self.iteration.observe(batch * context + batch)
            else:
                self.itl.observe(step_s, batch)
                self.iteration.observe(batch)
                self.steps.append((now, step_s, wall_s))
                self.recent.append((now, step_s))
                while self.recent and self.recent[0][0] < now - self.args.window_s:
                    self.recent.popleft()
            self.generation_tokens += batch

    def metrics(self):
        a = self.args
        labels = f'engine="0",model_name="{escape(a.model_name)}"'
        capacity_blocks = math.ceil(a.batch * a.context / KV_BLOCK_TOKENS)
        with self.lock:
            out = []

            def gauge(name, help_text, value, extra=""):
                out.append(f"# HELP {name} {help_text}")
                out.append(f"# TYPE {name} gauge")
                out.append(f"{name}{{{labels}{extra}}} {number(value)}")

            def counter(base, help_text, value, extra=""):
                out.append(f"# HELP {base}_total {help_text}")
                out.append(f"# TYPE {base}_total counter")
                out.append(f"{base}_total{{{labels}{extra}}} {number(value)}")

            started = self.first_step_s is not None
            gauge("vllm:num_requests_running", "Number of requests in model execution batches.", a.batch if started else 0)
            gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", 0)
            gauge("vllm:engine_sleep_state", "Engine sleep state; awake = 1 means engine is awake.", 1, ',sleep_state="awake"')
            # The cache holds exactly BATCH x CONTEXT tokens, all in use once decoding runs.
            gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", 1.0 if started else 0.0)
            counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.", 0)
            counter("vllm:prompt_tokens", "Number of prefill tokens processed.", self.prompt_tokens)
            counter("vllm:generation_tokens", "Number of generation tokens processed.", self.generation_tokens)
            counter("vllm:request_success", "Count of successfully processed requests.", 0, ',finished_reason="length"')
            counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", self.prompt_tokens)
            counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", 0)
            self.iteration.write(out, "vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", labels)
            self.ttft.write(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels)
            self.itl.write(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels)
            self.request_tpot.write(out, "vllm:request_time_per_output_token_seconds",
                                    "Histogram of time_per_output_token_seconds per request.", labels)
            self.e2e.write(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", labels)
            out.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig")
            out.append("# TYPE vllm:cache_config_info gauge")
            out.append(f'vllm:cache_config_info{{block_size="{KV_BLOCK_TOKENS}",cache_dtype="auto",enable_prefix_caching="False",'
                       f'engine="0",gpu_memory_utilization="0.9",num_gpu_blocks="{capacity_blocks}"}} 1.0')
        return "\n".join(out) + "\n"

    def summary(self):
        a = self.args
        with self.lock:
            steps = [s for _, s, _ in self.steps]
            walls = [w for _, _, w in self.steps]
            recent = [s for _, s in self.recent]
            doc = {
                "mode": self.mode,
                "timer": self.timer,
                "model_name": a.model_name,
                "shape": {k: getattr(a, k) for k in SHAPE_DEFAULTS},
                "batch": a.batch,
                "context": a.context,
                "steps_timed": len(steps),
                "mean_step_s": mean(steps),
                "median_step_s": median(steps),
                "min_step_s": min(steps) if steps else None,
                "max_step_s": max(steps) if steps else None,
                "mean_wall_step_s": mean(walls),
                "window_s": a.window_s,
                "window_mean_step_s": mean(recent),
                "window_steps": len(recent),
                "first_step_s": self.first_step_s,
                "generation_tokens": self.generation_tokens,
                "tokens_per_second": (a.batch / mean(steps)) if steps and mean(steps) > 0 else None,
                "elapsed_s": round(time.time() - self.started, 3),
                "events": list(self.events),
            }
            doc.update(self.facts)
        return doc


def mean(values):
    return sum(values) / len(values) if values else None


def median(values):
    if not values:
        return None
    s = sorted(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def serve(meter, host, port):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self.reply(200, "text/plain; version=0.0.4; charset=utf-8", meter.metrics())
            elif path == "/v1/models":
                body = {"object": "list", "data": [{"id": meter.args.model_name, "object": "model",
                                                     "owned_by": "decode_load", "created": int(meter.started)}]}
                self.reply(200, "application/json", json.dumps(body))
            elif path == "/summary":
                self.reply(200, "application/json", json.dumps(meter.summary(), indent=1))
            elif path == "/health":
                self.reply(200, "text/plain", "ok\n")
            else:
                self.reply(404, "text/plain", "not found\n")

        def reply(self, status, content_type, text):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # one line per scrape would drown the log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    return server


class DryRun:
    """A step is a sleep; what is metered is how long the sleep really took."""

    def __init__(self, step_s):
        self.step_s = step_s

    def step(self):
        t0 = time.perf_counter()
        time.sleep(self.step_s)
        dt = time.perf_counter() - t0
        return dt, dt


class TorchDecoder:
    """A random-weight Llama-style decoder stepping decode on cuda:0; steps timed with CUDA events.

    --device cpu runs the same code on the CPU, timed with perf_counter: a smoke test of the model code only."""

    def __init__(self, args, meter):
        import torch  # only here: --help and --dry-run need no torch
        import torch.nn.functional as F

        self.torch = torch
        self.cuda = args.device == "cuda"
        if self.cuda and not torch.cuda.is_available():
            raise RuntimeError(f"torch {torch.__version__}: torch.cuda.is_available() is False")
        dev = torch.device("cuda", 0) if self.cuda else torch.device("cpu")
        if self.cuda:
            torch.cuda.set_device(dev)
        dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float16
        if self.cuda and dtype == torch.bfloat16 and not torch.cuda.is_bf16_supported():
            log("bf16 not supported on this GPU: using fp16")
            dtype = torch.float16
        H, nh, nkv, inter, V = args.hidden, args.heads, args.kv_heads, args.intermediate, args.vocab
        if H % nh or nh % nkv:
            raise ValueError(f"hidden {H} / heads {nh} / kv heads {nkv} do not divide")
        hd = H // nh
        g = nh // nkv
        B, C = args.batch, args.context
        el = torch.finfo(dtype).bits // 8

        # What it needs against what is free: shrink the layer count to fit rather than fail (logged, and the
        # config.json the agent reads says the layers it really has).
        layer_bytes = el * (H * (nh + 2 * nkv) * hd + nh * hd * H + 3 * H * inter + 2 * H) + el * 2 * B * nkv * C * hd
        fixed_bytes = el * (2 * V * H + H) + 4 * B * V * 3 + (1 << 30)  # embeddings, logits, 1 GiB for the rest
        free, total = torch.cuda.mem_get_info() if self.cuda else (float("inf"), float("nan"))
        layers = args.layers
        if fixed_bytes + layers * layer_bytes > 0.9 * free:
            fit = int((0.9 * free - fixed_bytes) // layer_bytes)
            if fit < 1:
                raise MemoryError(f"not even one layer fits: {free / 2**30:.1f} GiB free")
            log(f"{layers} layers need {(fixed_bytes + layers * layer_bytes) / 2**30:.1f} GiB, {free / 2**30:.1f} GiB free: using {fit} layers")
            layers = fit
        args.layers = layers

        t0 = time.perf_counter()
        torch.manual_seed(0)

        def weight(out_features, in_features):
            return torch.empty(out_features, in_features, device=dev, dtype=dtype).normal_(0.0, in_features ** -0.5)

        self.layers = []
        for _ in range(layers):
            self.layers.append(dict(
                ln1=torch.ones(H, device=dev, dtype=dtype),
                wqkv=weight((nh + 2 * nkv) * hd, H),
                wo=weight(H, nh * hd),
                ln2=torch.ones(H, device=dev, dtype=dtype),
                wgu=weight(2 * inter, H),
                wd=weight(H, inter),
                # The "prefilled" context: random K/V for every one of the C positions.
                k=torch.empty(B, nkv, C, hd, device=dev, dtype=dtype).normal_(),
                v=torch.empty(B, nkv, C, hd, device=dev, dtype=dtype).normal_(),
            ))
        self.embed = torch.empty(V, H, device=dev, dtype=dtype).normal_(0.0, 1.0)
        self.lm_head = weight(V, H)
        self.norm = torch.ones(H, device=dev, dtype=dtype)
        self.tok = torch.randint(0, V, (B,), device=dev)
        self.x = self.embed.index_select(0, self.tok)          # static input of the next step
        self.slot = torch.zeros(1, dtype=torch.long, device=dev)  # the rolling KV slot the new token overwrites
        half = hd // 2
        inv = 1.0 / (500000.0 ** (torch.arange(0, half, device=dev, dtype=torch.float32) / half))
        angle = float(C) * inv  # every step at position C: the same cost as any other position
        self.cos, self.sin = angle.cos().to(dtype), angle.sin().to(dtype)
        self.sync()
        build_s = time.perf_counter() - t0

        self.F, self.dtype, self.shape = F, dtype, (B, C, H, nh, nkv, hd, g, half)
        rms_norm = getattr(F, "rms_norm", None)
        self.rms = (lambda x, w: rms_norm(x, (H,), w, 1e-5)) if rms_norm else self._rms
        self.attention = "sdpa" if hasattr(F, "scaled_dot_product_attention") else "matmul-softmax"
        if self.cuda:
            self.start_event = torch.cuda.Event(enable_timing=True)
            self.end_event = torch.cuda.Event(enable_timing=True)
        self.run = self._step
        self.graph = None

        meter.facts.update({
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "device": torch.cuda.get_device_name(dev) if self.cuda else "cpu",
            "dtype": str(dtype).replace("torch.", ""),
            "layers": layers,
            "weights_gib": round(el * (layers * (H * (nh + 2 * nkv) * hd + nh * hd * H + 3 * H * inter) + 2 * V * H) / 2**30, 2),
            "kv_cache_gib": round(layers * el * 2 * B * nkv * C * hd / 2**30, 2),
            "gpu_memory_total_gib": round(total / 2**30, 1) if self.cuda else None,
            "build_s": round(build_s, 2),
        })
        log(f"built {layers} layers on {meter.facts['device']} in {build_s:.1f} s: "
            f"{meter.facts['weights_gib']} GiB weights, {meter.facts['kv_cache_gib']} GiB KV cache, {meter.facts['dtype']}")

        # The first steps compile nothing but do load kernels and pick cuBLAS algorithms; an attention backend that
        # refuses the shapes is replaced here, before anything is metered.
        with torch.inference_mode():
            try:
                self._step()
            except Exception as e:  # noqa: BLE001 - any refusal means: try the plain kernels
                if self.attention != "sdpa" and self.rms == self._rms:
                    raise
                log(f"the first step failed ({type(e).__name__}: {e}); using matmul + softmax and a plain RMS norm")
                self.attention, self.rms = "matmul-softmax", self._rms
                self._step()
            if args.cuda_graph and self.cuda:
                self._capture()
            for _ in range(max(1, args.warmup)):
                self.run()
            self.sync()
        meter.facts["attention"] = self.attention
        meter.facts["rms_norm"] = "plain" if self.rms == self._rms else "F.rms_norm"
        meter.facts["cuda_graph"] = self.graph is not None
        meter.timer = "cuda-events" if self.cuda else "perf_counter"

    def sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def _rms(self, x, w):
        xf = x.float()
        return (xf * self.torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(self.dtype) * w

    def _rope(self, t):
        half = self.shape[7]
        t1, t2 = t[..., :half], t[..., half:]
        return self.torch.cat((t1 * self.cos - t2 * self.sin, t2 * self.cos + t1 * self.sin), dim=-1)

    def _attend(self, q, k, v):
        # q [B, kv heads, group, hd] against k, v [B, kv heads, C, hd]: with one query position per sequence, the
        # queries that share a KV head are that head's query rows, so GQA needs neither enable_gqa nor a repeat.
        if self.attention == "sdpa":
            return self.F.scaled_dot_product_attention(q, k, v)
        scores = self.torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
        return self.torch.matmul(self.torch.softmax(scores.float(), dim=-1).to(self.dtype), v)

    def _step(self):
        F = self.F
        B, C, H, nh, nkv, hd, g, _ = self.shape
        x = self.x
        for w in self.layers:
            q, k, v = F.linear(self.rms(x, w["ln1"]), w["wqkv"]).split([nh * hd, nkv * hd, nkv * hd], dim=-1)
            q = self._rope(q.view(B, nkv, g, hd))
            k = self._rope(k.view(B, nkv, 1, hd))
            w["k"].index_copy_(2, self.slot, k)
            w["v"].index_copy_(2, self.slot, v.reshape(B, nkv, 1, hd))
            a = self._attend(q, w["k"], w["v"])
            x = x + F.linear(a.reshape(B, nh * hd), w["wo"])
            gate, up = F.linear(self.rms(x, w["ln2"]), w["wgu"]).chunk(2, dim=-1)
            x = x + F.linear(F.silu(gate) * up, w["wd"])
        logits = F.linear(self.rms(x, self.norm), self.lm_head)
        self.tok.copy_(logits.argmax(dim=-1))
        self.x.copy_(self.embed.index_select(0, self.tok))
        self.slot.add_(1).remainder_(C)

    def _capture(self):
        """--cuda-graph: one CUDA graph per step (all inputs are static tensors); eager steps where capture fails."""
        torch = self.torch
        try:
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    self._step()
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                self._step()
            graph.replay()
            torch.cuda.synchronize()
            self.graph = graph
            self.run = graph.replay
            log("stepping one captured CUDA graph per step")
        except Exception as e:  # noqa: BLE001
            log(f"CUDA graph capture failed ({type(e).__name__}: {e}); eager steps")
            self.run = self._step
            torch.cuda.synchronize()

    def step(self):
        t0 = time.perf_counter()
        if not self.cuda:
            with self.torch.inference_mode():
                self.run()
            dt = time.perf_counter() - t0
            return dt, dt
        with self.torch.inference_mode():
            self.start_event.record()
            self.run()
            self.end_event.record()
            self.end_event.synchronize()
        return self.start_event.elapsed_time(self.end_event) / 1e3, time.perf_counter() - t0


def write_config(path, args, dtype):
    """The HF-style config.json of the model it runs, for `solprof agent --model PATH`."""
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": args.hidden,
        "intermediate_size": args.intermediate,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "num_key_value_heads": args.kv_heads,
        "head_dim": args.hidden // args.heads,
        "vocab_size": args.vocab,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "mlp_bias": False,
        "rms_norm_eps": 1e-05,
        "rope_theta": 500000.0,
        "max_position_embeddings": 131072,
        "torch_dtype": dtype,
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def free_cuda_memory():
    """After a failed build, so that the GPU's idle figures are not those of an abandoned model."""
    try:
        import gc
        import torch
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001 - best effort only
        pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=19481)
    p.add_argument("--model-name", default=None, help=f"served model id (default {DEFAULT_NAME} for the default shape)")
    for name, value in SHAPE_DEFAULTS.items():
        p.add_argument("--" + name.replace("_", "-"), type=int, default=value, dest=name, help="model shape")
    p.add_argument("--batch", type=int, default=32, help="sequences decoding together")
    p.add_argument("--context", type=int, default=2048, help="tokens each sequence attends to")
    p.add_argument("--dtype", choices=["bf16", "fp16"], default="bf16")
    p.add_argument("--cuda-graph", action="store_true", help="replay one captured CUDA graph per step (else eager)")
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="cpu: a smoke test of the model code, timed with perf_counter")
    p.add_argument("--warmup", type=int, default=20, help="steps run before metering")
    p.add_argument("--dry-run", action="store_true", help="no torch: a step is a sleep of --step-ms")
    p.add_argument("--step-ms", type=float, default=20.0, help="dry run: the sleep per step")
    p.add_argument("--duration", type=float, default=0, help="seconds to run (0: until SIGTERM)")
    p.add_argument("--window-s", type=float, default=30, help="the summary's recent mean spans this many seconds")
    p.add_argument("--summary", help="write the summary JSON here on exit")
    p.add_argument("--config-out", help="write the HF config.json of the model run here once ready")
    args = p.parse_args(argv)
    for name in ("batch", "context", "port", *SHAPE_DEFAULTS):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.step_ms <= 0 or args.window_s <= 0:
        p.error("--step-ms and --window-s must be positive")
    args.name_given = args.model_name is not None
    name_for_shape(args)
    return args


def name_for_shape(args):
    """The served id, unless --model-name gave one: Llama-3.1-8B's only while the shape is its own."""
    if not args.name_given:
        default_shape = all(getattr(args, k) == v for k, v in SHAPE_DEFAULTS.items())
        args.model_name = DEFAULT_NAME if default_shape else "decode-load/llama-style-random"


def main(argv):
    args = parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    meter = Meter(args, "dry-run")
    engine = None
    if args.dry_run:
        meter.events.append("dry run asked for (--dry-run)")
    else:
        try:
            engine = TorchDecoder(args, meter)
            meter.mode = "torch"
        except ImportError as e:
            meter.events.append(f"dry run: torch not importable ({e})")
        except Exception as e:  # noqa: BLE001 - whatever broke, the agent phase must still have a server to read
            meter.events.append(f"dry run: the torch model failed ({type(e).__name__}: {e})")
    if engine is None:
        engine = DryRun(args.step_ms / 1e3)
        meter.facts["step_ms_asked"] = args.step_ms
        if not args.dry_run:
            log(meter.events[-1])
            free_cuda_memory()
    name_for_shape(args)  # the build may have shrunk the layers to fit
    if args.config_out:
        write_config(args.config_out, args, meter.facts.get("dtype", {"bf16": "bfloat16", "fp16": "float16"}[args.dtype]))

    try:
        server = serve(meter, args.host, args.port)
    except OSError as e:
        log(f"cannot serve on {args.host}:{args.port}: {e.strerror or e}")
        return 1
    meter.started = time.time()
    log(f"serving http://{args.host}:{args.port}/metrics ({meter.mode}, batch {args.batch}, context {args.context}, model {args.model_name})")

    deadline = time.monotonic() + args.duration if args.duration > 0 else None
    while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
        try:
            step_s, wall_s = engine.step()
        except Exception as e:  # noqa: BLE001 - a CUDA failure mid-run: keep serving, as a dry run
            meter.events.append(f"dry run from step {len(meter.steps) + 1}: the torch step failed ({type(e).__name__}: {e})")
            log(meter.events[-1])
            engine, meter.mode, meter.timer = DryRun(args.step_ms / 1e3), "dry-run", "perf_counter"
            continue
        meter.record(step_s, wall_s)

    summary = meter.summary()
    server.shutdown()
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1)
    ms = lambda v: f"{v * 1e3:.3f} ms" if v else "n/a"  # noqa: E731
    log(f"stopped: {summary['steps_timed']} steps, mean step {ms(summary['mean_step_s'])} ({summary['timer']}), "
        f"mean wall {ms(summary['mean_wall_step_s'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
