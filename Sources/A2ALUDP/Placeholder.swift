// The NIO UDP transport and debug HTTP listener live here (in progress).
import A2ALDHT
