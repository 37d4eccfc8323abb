//! The model layer's data (docs/contract.md): the card and its rules, the catalog, the visitor's
//! history, the window the model sees, the id newtypes and the errors (the control-flow refusals among them). Loading and scoring, which
//! need tract, are `whythis-model`.

pub mod bounded_list;
pub mod card;
pub mod catalog;
pub mod contract;
pub mod control_flow;
pub mod error;
pub mod history;
pub mod ids;
pub mod integrity;
pub mod window;

pub use card::ModelCard;
pub use catalog::{Catalog, CatalogEntry, Lookups, MAX_LOOKUP_IDS};
pub use contract::Violation;
pub use control_flow::ControlFlowRefusal;
pub use error::ModelError;
pub use history::{Event, History};
pub use ids::{ItemId, Position, Rank};
pub use window::{Slots, Window, WindowEvent};
