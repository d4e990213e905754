//! The organization's places.

crate::keyed_enum! {
    /// What a place in the location tree is.
    LocationKind {
        Building = "building",
        Wing = "wing",
        Floor = "floor",
        Room = "room",
        Area = "area",
    }
}
