package org.relax4j;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records of settings as maps of their components and back: what lets {@link RelaxConfig.Builder} and
 * {@link SettingsCodec} follow the records' components rather than restate them. Stateless.
 */
final class Records {
    private Records() {
    }

    /** {@return the components of {@code r} by name, in declaration order} */
    static Map<String, Object> values(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                m.put(c.getName(), c.getAccessor().invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName(), e);
            }
        }
        return m;
    }

    /**
     * A record of {@code type} with the components in {@code values} (by name; a key present with null sets null)
     * and the others as in {@code defaults}, through the canonical constructor, so its checks run.
     *
     * @throws RuntimeException whatever the constructor throws, unwrapped
     */
    static <R extends Record> R build(Class<R> type, R defaults, Map<String, ?> values) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int k = 0; k < components.length; k++) {
            RecordComponent c = components[k];
            types[k] = c.getType();
            try {
                args[k] = values.containsKey(c.getName()) ? values.get(c.getName()) : c.getAccessor().invoke(defaults);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName(), e);
            }
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }
}
