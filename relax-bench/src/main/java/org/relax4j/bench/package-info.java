/**
 * Benchmarks of the relax4j engines (JMH, shaded into {@code relax-bench/target/benchmarks.jar}) and the ND4J
 * baseline they are measured against.
 *
 * <ul>
 *   <li>{@link org.relax4j.bench.BenchSuite}: the jar's main class; runs the fixed suite and prints one table.</li>
 *   <li>{@link org.relax4j.bench.BatchBench}, {@link org.relax4j.bench.ExplainBench}: the JMH benchmarks, also
 *       runnable one by one through JMH's own command line.</li>
 *   <li>{@link org.relax4j.bench.Nd4jEngine}: RELAX's own work in ND4J array operations, engine name {@code nd4j},
 *       registered through the ServiceLoader; a baseline, not meant for production use.</li>
 * </ul>
 * Nothing here is a stable API.
 */
package org.relax4j.bench;
