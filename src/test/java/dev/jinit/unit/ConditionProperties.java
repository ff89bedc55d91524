package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** systemd's combination rule for Condition…= lists, on random lists of checks that hold or not. */
class ConditionProperties {
    /** "/" always exists; this path never does. */
    private static final String THERE = "/", GONE = "/nonexistent/jinit/condition/path";

    /** One generated check: whether its path exists, whether it is negated, whether it is triggering. */
    record Spec(boolean exists, boolean negate, boolean trigger) {
        Condition condition() {
            return Condition.parse("ConditionPathExists", (trigger ? "|" : "") + (negate ? "!" : "") + (exists ? THERE : GONE),
                    "/u/p.service:1");
        }

        boolean holds() {
            return exists != negate;
        }
    }

    @Property
    void metExactlyWhenAllPlainChecksAndOneTriggerHold(@ForAll @Size(max = 8) List<Boolean> exists,
                                                       @ForAll @Size(max = 8) List<Boolean> negate,
                                                       @ForAll @Size(max = 8) List<Boolean> trigger) {
        int n = Math.min(exists.size(), Math.min(negate.size(), trigger.size()));
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) specs.add(new Spec(exists.get(i), negate.get(i), trigger.get(i)));
        boolean plainOk = specs.stream().filter(s -> !s.trigger()).allMatch(Spec::holds);
        boolean anyTrigger = specs.stream().anyMatch(Spec::trigger);
        boolean triggerOk = !anyTrigger || specs.stream().filter(Spec::trigger).anyMatch(Spec::holds);
        List<Condition> conditions = specs.stream().map(Spec::condition).toList();
        assertEquals(plainOk && triggerOk, Condition.unmet(conditions) == null, conditions.toString());
        // Each check agrees with its own spec.
        for (int i = 0; i < n; i++) assertEquals(specs.get(i).holds(), conditions.get(i).holds(), specs.get(i).toString());
    }
}
