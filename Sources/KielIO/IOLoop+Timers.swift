extension IOLoop {
    /// Cancels the timeout `handle` holds, if any, and clears it: how an owner disarms a
    /// deadline or retry timer it keeps in an optional, in one step that can't be half done.
    public func cancelTimeout(_ handle: inout TimeoutHandle?) {
        if let armed = handle { removeTimeout(armed) }
        handle = nil
    }
}
