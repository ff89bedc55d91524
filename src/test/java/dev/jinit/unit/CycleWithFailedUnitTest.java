package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An ordering cycle through a unit that failed to load on its own (found by UnitLoaderProperties). */
class CycleWithFailedUnitTest {
    @Test
    void theFailedUnitKeepsItsReasonAndTheOthersFailWithTheCycle() {
        LoadResult r = UnitLoader.loadTexts(Path.of("/mem"), Map.of(
                "c.target", "[Unit]\nBefore=a.service\nAfter=a.service\n",
                "a.service", ""), Fixtures.CTX);
        LoadedUnit.Failed a = assertInstanceOf(LoadedUnit.Failed.class, r.units().get("a.service"));
        assertTrue(a.reasons().stream().noneMatch(m -> m.contains("ordering cycle")), a.toString());
        LoadedUnit.Failed c = assertInstanceOf(LoadedUnit.Failed.class, r.units().get("c.target"));
        assertEquals(LoadState.BAD_SETTING, c.loadState());
        assertTrue(c.reasons().getFirst().startsWith("ordering cycle: "), c.toString());
    }
}
