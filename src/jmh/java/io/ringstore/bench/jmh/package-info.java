/**
 * JMH microbenchmarks of the per-request building blocks: ring lookup, dotted-version-vector update
 * and sync, the causal-context codec, the stored-object codec, RocksDB get/put and the replica's
 * read-modify-write ({@code LocalObjectStore.coordinate}/{@code merge}). Built and run only by the
 * {@code jmh} Maven profile ({@code mvn -B -Pjmh package -Dmaven.test.skip=true}, then {@code java
 * -jar target/benchmarks.jar}); never part of the test command. Figures and commands:
 * BENCHMARKS.md.
 */
package io.ringstore.bench.jmh;
