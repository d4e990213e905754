//! The organization's structure: the organization itself, its hospitals (sites), departments
//! and their sections, and the tree of buildings, floors, rooms and areas (locations).

pub mod departments;
pub mod dto;
pub mod locations;
pub mod locations_csv;
pub mod organization;
pub mod placement;
pub mod routes;
pub mod sections;
pub mod shared;
pub mod sites;
