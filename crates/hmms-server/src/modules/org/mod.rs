//! The organization's structure: the organization itself, its hospitals (sites), departments
//! and their sections, and the tree of buildings, floors, rooms and areas (locations).

mod departments;
mod dto;
mod locations;
mod locations_csv;
mod organization;
mod placement;
pub mod routes;
mod sections;
mod shared;
mod sites;

pub use departments::find as find_department;
pub use locations::find as find_location;
pub use locations_csv::{
    export as export_locations, import as import_locations, template as locations_template,
};
pub use organization::hold_reasons;
pub use placement::{Placement, resolve_placement};
pub use shared::{audit, page_by_name, require_site_write};
pub use sites::find as find_site;
