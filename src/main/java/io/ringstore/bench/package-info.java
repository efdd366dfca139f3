/**
 * {@code bin/ringstore bench}: a YCSB-style load generator run from outside the cluster. Pure parts
 * — the key distributions ({@link io.ringstore.bench.ScrambledZipfian}, {@link
 * io.ringstore.bench.KeyChooser}), the operation mix ({@link io.ringstore.bench.Workload}), the
 * fixed-rate {@link io.ringstore.bench.RatePacer} and the {@link io.ringstore.bench.BenchReport} —
 * are plain Java; {@link io.ringstore.bench.BenchRun} drives them over the public HTTP contract
 * with keep-alive connections and records latencies in HdrHistograms, counted from each request's
 * intended send time so that a fixed-rate run has no coordinated omission. An edge package: in HTTP
 * mode it uses only the public HTTP contract (reached over HTTP or HTTPS with credentials as every
 * command-line client does, {@code io.ringstore.tools.ClientAccess}); {@code --mode java} ({@link
 * io.ringstore.bench.JavaConnections}) uses the public Java API ({@code io.ringstore.client}, its
 * result types and {@code NodeConfig}) as an app would.
 */
package io.ringstore.bench;
