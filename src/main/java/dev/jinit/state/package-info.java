/**
 * The words the supervisor and the control protocol share about a running unit: {@link dev.jinit.state.ActiveState}.
 *
 * <p>Why a package of its own: the supervisor ({@code dev.jinit.supervise}) implements the control protocol's
 * {@code ControlHandler}, so it depends on {@code dev.jinit.control}; if the protocol's status types named a type in
 * {@code supervise}, the two packages would depend on each other, and the client side of {@code jinit status} would
 * reach into the supervisor. The state vocabulary therefore sits below both. It depends on nothing in jinit.
 * (The unit file vocabulary, such as {@code LoadState}, belongs to {@code dev.jinit.unit}; the sub-states, which
 * only the service state machine knows, stay in {@code dev.jinit.supervise}.)
 */
package dev.jinit.state;
