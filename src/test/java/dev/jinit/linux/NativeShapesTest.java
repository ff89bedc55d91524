package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

/**
 * Downcalls linked through a shared shape (see {@link Native}) behave as if linked with the caller's
 * own descriptor: the same Java type, ints in and out with every bit, negative numbers, addresses in
 * and out, void, errno, and the linker's refusals of heap and closed segments.
 */
class NativeShapesTest {

    @Test
    void descriptorsOfIntsLongsAndAddressesShareOneShape() {
        FunctionDescriptor a = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
        FunctionDescriptor b = FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
        FunctionDescriptor c = FunctionDescriptor.ofVoid();
        FunctionDescriptor six = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        FunctionDescriptor longs = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        assertEquals(longs, Native.shape(a));
        assertEquals(longs, Native.shape(b));
        assertEquals(longs, Native.shape(c));
        assertEquals(longs, Native.shape(six));
        FunctionDescriptor seven = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        assertEquals(7, Native.shape(seven).argumentLayouts().size(), "past the registers, as many as asked");
        assertNull(Native.shape(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT)), "a short is linked as asked");
        assertNull(Native.shape(FunctionDescriptor.of(JAVA_INT, ADDRESS.withTargetLayout(JAVA_INT))),
                "an address with a target layout is linked as asked");
    }

    @Test
    void theCallerSeesTheTypeOfItsOwnDescriptor() {
        MethodHandle strchr = Native.call("strchr", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        assertEquals(MethodType.methodType(MemorySegment.class, MemorySegment.class, int.class), strchr.type());
        MethodHandle close = Native.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        assertEquals(MethodType.methodType(int.class, MemorySegment.class, int.class), close.type());
        MethodHandle srand = Native.call("srand", FunctionDescriptor.ofVoid(JAVA_INT));
        assertEquals(MethodType.methodType(void.class, int.class), srand.type());
    }

    @Test
    void intsPassAndReturnEveryBitAndTheirSign() throws Throwable {
        MethodHandle abs = Native.call("abs", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        assertEquals(5, (int) abs.invokeExact(-5));
        assertEquals(Integer.MAX_VALUE, (int) abs.invokeExact(-Integer.MAX_VALUE));
        // htonl(uint32_t): bit 31 set on the way in and on the way out
        MethodHandle htonl = Native.call("htonl", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        assertEquals(0x01000080, (int) htonl.invokeExact(0x80000001));
        assertEquals(0x80000001, (int) htonl.invokeExact(0x01000080));
        MethodHandle labs = Native.call("labs", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        assertEquals(1L << 40, (long) labs.invokeExact(-(1L << 40)));
        MethodHandle srand = Native.call("srand", FunctionDescriptor.ofVoid(JAVA_INT));
        srand.invokeExact(-1);
        MethodHandle getpid = Native.call("getpid", FunctionDescriptor.of(JAVA_INT));
        assertEquals(ProcessHandle.current().pid(), (int) getpid.invokeExact());
    }

    @Test
    void sevenArgumentsPassTheStack() throws Throwable {
        // snprintf(buf, n, fmt, a, b, c, d): the seventh argument travels on the stack (x86-64);
        // variadic ints, as the linker passes them
        MethodHandle snprintf = Native.call("snprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), java.lang.foreign.Linker.Option.firstVariadicArg(3));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            int n = (int) snprintf.invokeExact(buf, 64L, arena.allocateFrom("%d %d %d %d"), -1, 2, 0x80000000, 4);
            assertEquals("-1 2 -2147483648 4", buf.getString(0));
            assertEquals(18, n);
        }
    }

    @Test
    void addressesGoInAndComeOut() throws Throwable {
        MethodHandle strlen = Native.call("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        MethodHandle strchr = Native.call("strchr", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("abcdef");
            assertEquals(6L, (long) strlen.invokeExact(s));
            MemorySegment d = (MemorySegment) strchr.invokeExact(s, (int) 'd');
            assertEquals(s.address() + 3, d.address());
            assertEquals(0L, d.byteSize(), "a zero-length segment, as the linker returns for a plain address");
            MemorySegment none = (MemorySegment) strchr.invokeExact(s, (int) 'z');
            assertEquals(MemorySegment.NULL, none);
            assertEquals((byte) 'e', d.reinterpret(2).get(JAVA_BYTE, 1));
        }
        // an automatic arena's segment, reachable only through the call's argument
        MemorySegment auto = Arena.ofAuto().allocateFrom("xyz");
        assertEquals(3L, (long) strlen.invokeExact(auto));
    }

    @Test
    void errnoIsCapturedForTheCaller() throws Throwable {
        MethodHandle close = Native.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        MemorySegment st = Native.callState();
        assertEquals(-1, (int) close.invokeExact(st, -1));
        assertEquals(9, Native.errno(st), "EBADF");
        LinuxException e = assertThrows(LinuxException.class, () -> Native.check(-1, st, "close", -1));
        assertEquals(9, e.errno());
    }

    @Test
    void heapAndClosedSegmentsAreRefusedAsTheLinkerRefusesThem() {
        MethodHandle strlen = Native.call("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        MemorySegment heap = MemorySegment.ofArray(new byte[] {'a', 0});
        assertThrows(IllegalArgumentException.class, () -> {
            long n = (long) strlen.invokeExact(heap);
        });
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocateFrom("gone");
        }
        MemorySegment c = closed;
        assertThrows(IllegalStateException.class, () -> {
            long n = (long) strlen.invokeExact(c);
        });
    }
}
