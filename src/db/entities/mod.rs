//! SeaORM entities, one per table. Behaviour lives in the modules that own each table
//! (accounts, outbox, session store), not here.

pub mod limits;
pub mod outbox;
pub mod sessions;
pub mod users;
