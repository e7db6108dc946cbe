package org.relax4j.data;

/**
 * A setting's value was refused: {@link #setting()} names the setting as the API spells it (e.g. {@code batchSize}),
 * {@link #problem()} says what is wrong with it, so that a front end can report it under its own name for the setting
 * (the command line's {@code --batch-size}) without parsing the message.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String problem;

    /**
     * @param setting the setting's name as the API spells it
     * @param problem what is wrong, e.g. "must be at least 1, got 0"
     */
    public InvalidSettingException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    /** {@return the setting's name as the API spells it, e.g. {@code batchSize}} */
    public String setting() {
        return setting;
    }

    /** {@return what is wrong with the value, without the setting's name} */
    public String problem() {
        return problem;
    }
}
