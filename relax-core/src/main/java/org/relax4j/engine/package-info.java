/**
 * Engines do RELAX's own work — masks, masked inputs, accumulation — on some hardware. {@link
 * org.relax4j.engine.CpuEngine} is the reference; other modules add engines through {@link
 * org.relax4j.engine.EngineProvider}, and {@link org.relax4j.engine.Engines} creates them by name.
 */
package org.relax4j.engine;
