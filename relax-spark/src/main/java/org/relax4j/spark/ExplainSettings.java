package org.relax4j.spark;

import java.io.Serializable;
import java.util.Objects;
import org.relax4j.Execution;
import org.relax4j.RelaxConfig;
import org.relax4j.SettingsCodec;

/**
 * A {@link RelaxConfig} as it travels to executors: the JSON of {@link SettingsCodec}, the one encoding of settings
 * that provenance and summary.json use too, so every setting that decides the maps travels, and a setting added to
 * the configuration travels with no change here. The executor's own thread count replaces the driver's
 * ({@link #toConfig(int)}); results do not depend on it.
 *
 * <p>Only values travel: a configuration with a custom {@link org.relax4j.Similarity}, a tensor baseline or masks
 * from elsewhere is refused by {@link #of}, naming the setting. Immutable.
 */
public final class ExplainSettings implements Serializable {
    private static final long serialVersionUID = 3L;

    private final String json;

    private ExplainSettings(String json) {
        this.json = json;
    }

    /**
     * Captures {@code config} for executors.
     *
     * @throws org.relax4j.data.InvalidSettingException naming the setting, if the configuration holds something that is
     *         not a value (a custom similarity, a tensor baseline, recorded masks)
     */
    public static ExplainSettings of(RelaxConfig config) {
        Objects.requireNonNull(config, "config");
        return new ExplainSettings(SettingsCodec.toJson(SettingsCodec.requireValues(config)));
    }

    /** The configuration on an executor, with {@code threads} engine threads. */
    public RelaxConfig toConfig(int threads) {
        RelaxConfig c = SettingsCodec.fromJson(json);
        Execution e = c.execution();
        return new RelaxConfig(c.settings(), new Execution(e.engine(), e.device(), threads, e.batchSize()));
    }

    /** {@return the configuration as it left the driver} */
    public RelaxConfig config() {
        return SettingsCodec.fromJson(json);
    }

    @Override
    public String toString() {
        return toConfig(1).toString();
    }
}
